// The pages' browser-side callbacks (no server round trip), called from Python as
// ClientsideFunction(namespace="gx", function_name=...).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    gx: {
        // --- every page ---

        // The address bar follows the page's URL fields (dashboard/pagestate.py): the
        // last argument is the writer's store, {fields: [{key, fmt, default}], query}.
        writeUrlState: function (...args) {
            const held = args.pop() || {};
            const fields = held.fields || [];
            return {fields: fields, query: window.ganExplorer.writeState(fields, args)};
        },

        // The in-page generator attaches to the page's graph (dashboard/live.py); page:
        // {root, sliders}, the page's root id and its slider types.
        attachLive: function (manifest, page) {
            return window.ganLive.attach(page.root, manifest, page.sliders);
        },

        // --- the latent view (dashboard/components/latent_view.py) ---

        // LatentView.follow: a page control's value copied into one of the view's stores.
        copyToViewStore: function (v) { return v === undefined ? null : v; },

        // LatentView.follow for the point: key steps a page draws itself reach the view
        // once the keys rest (assets/live/pages.js viewPoint).
        copyPointToView: function (v) {
            const live = window.ganLive;
            return live && live.viewPoint ? live.viewPoint(v) : (v === undefined ? null : v);
        },

        // --- /explore and /cgan ---

        // The point the server draws: the sliders' values, unless the page draws this
        // model itself (then a released drag asks only the latent view).
        exploreServerPoint: function (values, label, model) {
            return window.ganLive.serverPoint('explore', model, values, label);
        },

        // --- /morph ---

        // The path's settings, for the frames the page draws.
        morphLiveSettings: function (via, frames, mode, only) {
            return window.ganLive.settings('morph',
                {via: via || [], frames: frames, mode: mode, only: (only || []).length > 0});
        },

        // The path the server computes: the controls' values, unless the page computes
        // this model's frames itself.
        morphServerPath: function (a, b, via, frames, mode, label, only, model) {
            return window.ganLive.serverMorph('morph', model,
                {a: a, b: b, via: via, frames: frames, mode: mode, label: label, only: only});
        },

        // The map view drew its cube: the projections' cubes may be ready too.
        morphViewReady: function (v) { return v; },

        // Which points' slices the server redraws: none for a 2D model (its map shows A
        // and B), none the page cut from the model's cubes itself, else the point whose
        // slider moved, or both for a new label or cube.
        morphProjectionPoints: function (a, b, label, ready, model) {
            if (!a || a.length <= 2) { return window.dash_clientside.no_update; }
            const fired = (window.dash_clientside.callback_context.triggered || []).map((t) => t.prop_id);
            const moved = ['a', 'b'].filter((n) => fired.some((p) => p.includes('"morph-' + n + '"')));
            const record = {a: a, b: b, label: label, moved: moved.length ? moved : ['a', 'b']};
            return window.ganLive.serverSlices('morph', model, record);
        },

        // Play/pause of the morph animation at the chosen speed (frames per second).
        morphPlayState: function (n, speed) { return window.ganExplorer.playState(n, speed); },

        // The animation's next frame, wrapping round.
        morphNextFrame: function (n, current, maxFrame) {
            return window.ganExplorer.nextFrame(current, 0, maxFrame);
        },

        // The frame the scrub slider is on, drawn from the stored morph: a grey frame
        // ([row][col]) as a heatmap, a colour one ([row][col][rgb]) as an RGB image; its
        // class by name where the morph has them (class_names, noun).
        morphFrameFigure: function (frame, result) {
            if (!result || !result.images || !result.images.length) { return window.dash_clientside.no_update; }
            const i = Math.max(0, Math.min(result.images.length - 1, frame || 0));
            const z = result.images[i];
            const colour = Array.isArray(z[0]) && Array.isArray(z[0][0]);
            const names = Array.isArray(result.class_names) ? result.class_names : null;
            const cls = result.classes[i];
            const trace = colour
                ? {type: 'image', z: z, zmin: [-1, -1, -1], zmax: [1, 1, 1], hoverinfo: 'skip'}
                : {type: 'heatmap', z: z, zmin: -1, zmax: 1, colorscale: [[0, 'black'], [1, 'white']],
                   showscale: false, hoverinfo: 'skip'};
            return {
                data: [trace],
                layout: {title: {text: 'Frame ' + i + ' of ' + (result.images.length - 1) + ': ' +
                                 (result.noun || 'digit') + ' ' + (names && names[cls] !== undefined ? names[cls] : cls),
                                 x: 0.02, font: {size: 14}},
                         height: 300, margin: {l: 4, r: 4, t: 30, b: 4},
                         xaxis: {visible: false, constrain: 'domain'},
                         yaxis: {visible: false, autorange: 'reversed', scaleanchor: 'x'}}
            };
        },

        // --- /activations ---

        // The edits, for the edited image the page draws.
        activationsLiveSettings: function (edits) {
            return window.ganLive.settings('act', {edits: edits || []});
        },

        // --- /training ---

        // Play/pause of the epoch replay (2.5 epochs per second).
        trainingPlayState: function (n) { return window.ganExplorer.playState(n, 2.5); },

        // The replay's next epoch, wrapping round.
        trainingNextEpoch: function (n, value, min, max) {
            return window.ganExplorer.nextFrame(value, min, max);
        },

        // --- /invert ---

        // "Search every label" ticked: the label slider is not used.
        invertLabelDisabled: function (value) { return Array.isArray(value) && value.includes('on'); }
    }
});
