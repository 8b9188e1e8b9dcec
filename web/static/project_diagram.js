// The diagram on the project page (projects/show.html) and the instance page (instances/show.html): the lifecycle's BPMN read with fetch, drawn by bpmn-js's
// viewer, done and active elements marked. A file, not inline: the pages' Content-Security-Policy runs no inline script.
(function () {
  var container = document.getElementById('diagram');
  var markers = JSON.parse(document.getElementById('diagram-markers').textContent);
  var viewer = new BpmnJS({ container: container });
  fetch(container.dataset.diagramUrl, { credentials: 'same-origin' })
    .then(function (response) { return response.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get('canvas'), registry = viewer.get('elementRegistry');
      canvas.zoom('fit-viewport');
      markers.done.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, 'done'); });
      markers.active.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, 'active'); });
    })
    .catch(function (error) { container.textContent = '流程图无法显示：' + error.message; });
})();
