import time

from selenium.webdriver.common.by import By


def test_dbg(driver, app_url):
    driver.get(f"{app_url}/explore?model=gan-2d&z=0.31,-0.42")
    time.sleep(20)
    print("STATUS", driver.find_element(By.ID, "explore-live-status").text)
    print(
        "LAST",
        driver.execute_script(
            "const p = window.ganLive && window.ganLive.pages.explore; return p ? [p.runs, p.last && p.last.z] : 'nopage'"
        ),
    )
    print(
        "THUMBS",
        driver.execute_script(
            "return [...document.querySelectorAll('#explore-sliders [role=slider]')].map(t => [t.getAttribute('aria-valuenow'), t.closest(\"[id^='{']\") && t.closest(\"[id^='{']\").id])"
        ),
    )
