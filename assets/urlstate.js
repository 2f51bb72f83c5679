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
    },
    // One page's fields (dashboard/pagestate.py): [{key, fmt, default}] and their values.
    writeState: function (spec, values) {
        const g = window.ganExplorer, params = {};
        spec.forEach(function (field, i) {
            const v = values[i];
            let text = null;
            if (v === null || v === undefined) { text = null; }
            else if (field.fmt === 'point') { text = g.point(v); }
            else if (field.fmt === 'points') { text = v.length ? v.map(g.point).join(';') : null; }
            else if (field.fmt === 'json') { text = v.length ? JSON.stringify(v) : null; }
            else if (field.fmt === 'indices') {  // hidden controls hold null: left out
                const kept = v.filter(function (x) { return x !== null && x !== undefined; });
                text = kept.length ? kept.map(String).join(',') : null;
            }
            else if (field.fmt === 'flag') {  // a checklist (['on']) or a boolean
                text = v === true || (Array.isArray(v) && v.includes('on')) ? '1' : '0';
            }
            else { text = String(v); }
            params[field.key] = text === field.default ? null : text;
        });
        return g.setQuery(params);
    },
    // Play/pause of an animation driven by a dcc.Interval (morph frames, training epochs):
    // [interval disabled, button text, interval in ms].
    playState: function (nClicks, fps) {
        const playing = (nClicks || 0) % 2 === 1;
        return [!playing, playing ? '⏸ Pause' : '▶ Play', Math.round(1000 / Math.max(1, fps || 8))];
    },
    // The next frame of a slider from min to max, wrapping round.
    nextFrame: function (value, min, max) {
        if (max === undefined || max === null) { return window.dash_clientside.no_update; }
        const lo = min || 0, v = value === undefined || value === null ? lo : value;
        return v >= max ? lo : v + 1;
    }
};
