// Dashboard map (templates/dashboards/_map.html): district outlines coloured by the figure
// chosen in #dashboard-map-figure, and, for roles that may see households, the households in
// view as clustered points fetched from the scoped GeoJSON endpoint (no names: code and link).
// Data: the json_script block #dashboard-map-data. No inline script (CSP script-src 'self').
(function () {
  "use strict";
  var element = document.getElementById("dashboard-map");
  var block = document.getElementById("dashboard-map-data");
  if (!element || !block || typeof L === "undefined") return;
  var data = JSON.parse(block.textContent);
  var select = document.getElementById("dashboard-map-figure");
  var legend = document.getElementById("dashboard-map-legend");
  var message = document.getElementById("dashboard-map-message");
  var colours = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var grey = "#d9d9d9";
  var hiddenFill = "#f7f7f7";

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  // maxZoom: markercluster needs one even without a tile layer.
  var map = L.map(element, { attributionControl: true, zoomSnap: 0.25, maxZoom: 19 });
  map.attributionControl.setPrefix(false);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  }
  map.attributionControl.addAttribution(escapeHtml(data.attribution));

  var outlines = null;
  if (data.features.length) {
    outlines = L.geoJSON(data, {
      style: function (feature) {
        return { color: "#555", weight: 1, fillOpacity: select ? 0.75 : 0.15,
                 fillColor: feature.properties.in_scope ? colours[1] : grey };
      },
      onEachFeature: function (feature, shape) {
        var p = feature.properties;
        if (!p.in_scope || !select) return;
        shape.on("click", function () {
          window.location.href = data.district_url.replace("CODE", encodeURIComponent(p.code));
        });
      }
    }).addTo(map);
    map.fitBounds(outlines.getBounds());
  } else {
    map.setView([13.75, 100.52], 11);
  }

  function figure() { return select ? select.value : data.figure; }

  function paint() {
    if (!outlines || !select) return;
    var key = figure();
    var label = data.labels[key] || key;
    var max = 0;
    outlines.eachLayer(function (shape) {
      var p = shape.feature.properties;
      if (p.in_scope && typeof p.values[key] === "number") max = Math.max(max, p.values[key]);
    });
    outlines.eachLayer(function (shape) {
      var p = shape.feature.properties;
      var text = p.name;
      var fill = grey;
      if (p.in_scope) {
        var value = p.values[key];
        if (typeof value !== "number") {
          // null: a small count ("< 5"); a string: withheld to protect one ("*").
          fill = hiddenFill;
          text += ": " + (typeof value === "string" ? value : data.suppressed_label);
        } else {
          var i = max ? Math.min(colours.length - 1, Math.floor((value / max) * colours.length)) : 0;
          fill = colours[i];
          text += ": " + value.toLocaleString() + " " + label;
        }
      }
      shape.setStyle({ fillColor: fill });
      shape.unbindTooltip();
      // Leaflet reads a tooltip string as HTML: names are text (issue 14, 7).
      shape.bindTooltip(escapeHtml(text), { sticky: true });
    });
    if (legend) legend.textContent = label + ": 0 – " + max.toLocaleString();
    element.setAttribute("data-colour-by", key);
  }
  if (select) select.addEventListener("change", paint);
  paint();

  if (!data.points_url || typeof L.markerClusterGroup !== "function") return;
  var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
  map.addLayer(cluster);
  var sequence = 0;
  var timer = null;
  var fitted = !data.fit_points;

  function marker(feature) {
    var c = feature.geometry.coordinates;
    var point = L.circleMarker([c[1], c[0]], {
      radius: 7, color: "#08306b", weight: 1, fillColor: "#a1162b", fillOpacity: 0.85
    });
    var link = document.createElement("a");
    link.href = feature.properties.url;
    link.textContent = feature.properties.code;
    link.className = "household-point-link";
    point.bindPopup(link);
    point.bindTooltip(escapeHtml(feature.properties.code));
    return point;
  }

  function load() {
    var mine = ++sequence;
    var url = data.points_url + (data.points_url.indexOf("?") >= 0 ? "&" : "?") +
      "bbox=" + encodeURIComponent(map.getBounds().toBBoxString());
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (payload) {
        if (!payload || mine !== sequence) return;
        cluster.clearLayers();
        if (message) message.textContent = payload.message || "";
        var markers = payload.features.map(marker);
        cluster.addLayers(markers);
        element.setAttribute("data-points", String(markers.length));
        if (!fitted && markers.length) {
          fitted = true;
          map.fitBounds(cluster.getBounds(), { maxZoom: 17, padding: [20, 20] });
        }
      });
  }
  map.on("moveend", function () {
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });
  load();
})();
