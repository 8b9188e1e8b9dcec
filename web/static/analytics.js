// The analytics page (analytics/show.html): the process diagram drawn by bpmn-js's viewer, each step overlaid with
// its figures (waiting / finished / median / 90th percentile in working days). A file, not inline: the pages'
// Content-Security-Policy runs no inline script. Text is set with textContent, never parsed as HTML.
(function () {
  var container = document.getElementById('diagram');
  var figures = JSON.parse(document.getElementById('analytics-overlay').textContent);
  var viewer = new BpmnJS({ container: container });

  function days(value) { return value === null ? '—' : String(value); }

  function badge(step) {
    var box = document.createElement('div');
    box.className = 'analytics-badge analytics-' + step.kind;
    var lines = step.kind === 'timer' ? ['已触发 ' + step.finished]
      : step.kind === 'call' ? ['在办 ' + step.waiting + ' · 已办 ' + step.finished]
      : ['在办 ' + step.waiting + ' · 已办 ' + step.finished,
         '中位 ' + days(step.median) + ' · P90 ' + days(step.p90) + ' 工作日'];
    lines.forEach(function (text) {
      var line = document.createElement('div');
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  fetch(container.dataset.diagramUrl, { credentials: 'same-origin' })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get('canvas'), registry = viewer.get('elementRegistry'), overlays = viewer.get('overlays');
      canvas.zoom('fit-viewport');
      Object.keys(figures).forEach(function (id) {
        if (!registry.get(id)) { return; }
        var step = figures[id];
        if (step.waiting > 0) { canvas.addMarker(id, 'active'); } else if (step.finished > 0) { canvas.addMarker(id, 'done'); }
        overlays.add(id, 'analytics', { position: { bottom: -4, left: 0 }, html: badge(step) });
      });
      container.dataset.ready = 'true';
    })
    .catch(function (error) { container.textContent = '流程图无法显示：' + error.message; });
})();
