// Choropleth of a province's districts (areas/province.html). Data: the json_script block
// #area-map-data (features with code, name, in_scope, households, people). No inline script
// (CSP script-src 'self').
(function () {
  "use strict";
  var element = document.getElementById("area-map");
  var dataBlock = document.getElementById("area-map-data");
  if (!element || !dataBlock || typeof L === "undefined") return;
  var data = JSON.parse(dataBlock.textContent);
  if (!data.features.length) return;
  var select = document.getElementById("area-map-figure");
  var legend = document.getElementById("area-map-legend");
  var districtUrl = element.getAttribute("data-district-url");
  var labels = { households: element.getAttribute("data-label-households"),
                 people: element.getAttribute("data-label-people") };
  var colours = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var grey = "#d9d9d9";

  var map = L.map(element, { attributionControl: true, zoomSnap: 0.25 });
  map.attributionControl.setPrefix(false);
  // Attributions, tooltips and labels are text: Leaflet would read them as HTML.
  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 18 }).addTo(map);
    if (data.tile_attribution) map.attributionControl.addAttribution(escapeHtml(data.tile_attribution));
  }
  map.attributionControl.addAttribution(escapeHtml(data.attribution));

  function figure() { return select ? select.value : "households"; }

  function breaks(key) {
    var max = 0;
    data.features.forEach(function (f) {
      if (f.properties.in_scope && typeof f.properties[key] === "number") max = Math.max(max, f.properties[key]);
    });
    return max;
  }

  function colour(value, max) {
    if (!max) return colours[0];
    var i = Math.min(colours.length - 1, Math.floor((value / max) * colours.length));
    return colours[i];
  }

  var layer = L.geoJSON(data, {
    style: function () { return { color: "#555", weight: 1, fillOpacity: 0.8, fillColor: grey }; },
    onEachFeature: function (feature, shape) {
      var p = feature.properties;
      if (!p.in_scope) return;
      shape.on("click", function () {
        window.location.href = districtUrl.replace("CODE", encodeURIComponent(p.code));
      });
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds());

  function paint() {
    var key = figure();
    var max = breaks(key);
    layer.eachLayer(function (shape) {
      var p = shape.feature.properties;
      var text = p.name;
      if (p.in_scope && typeof p[key] === "string") {
        // A hidden figure: its label ("< 5", or "*" when withheld to protect one).
        text += ": " + p[key] + " " + labels[key];
        shape.setStyle({ fillColor: grey });
      } else if (p.in_scope) {
        text += ": " + (p[key] || 0).toLocaleString() + " " + labels[key];
        shape.setStyle({ fillColor: colour(p[key] || 0, max) });
      } else {
        shape.setStyle({ fillColor: grey });
      }
      shape.unbindTooltip();
      // Leaflet reads a tooltip string as HTML: names are text (issue 14, 7).
      shape.bindTooltip(escapeHtml(text), { sticky: true });
    });
    if (legend) {
      legend.textContent = labels[key] + ": 0 – " + max.toLocaleString();
    }
  }
  if (select) select.addEventListener("change", paint);
  paint();
})();
