// The address bar follows each view's controls (history.replaceState, no reload, no
// server round trip), so a copied URL reopens the view exactly (see dashboard/urlstate.py).
window.ganExplorer = {
    fmt: function (v) { return (Math.round(v * 100) / 100).toString(); },
    point: function (values) {
        return values && values.length ? values.map(window.ganExplorer.fmt).join(',') : null;
    },
    setQuery: function (params) {
        const p = new URLSearchParams();
        Object.entries(params).forEach(function ([key, value]) {
            if (value !== null && value !== undefined && value !== '') { p.set(key, value); }
        });
        const query = p.toString();
        window.history.replaceState(null, '', window.location.pathname + (query ? '?' + query : ''));
        return query;
    }
};
