// The volunteer's worklist on a map (targeting/_worklist_results.html). Data: the json_script
// block #worklist-map-data ({points: [{lat, lon, code, head, address, status, status_label,
// url}], tile_url, tile_attribution}). Every value from the data is set as text (textContent,
// text nodes), never as HTML: names and addresses are typed by people. No inline script
// (CSP script-src 'self').
(function () {
  "use strict";
  var element = document.getElementById("worklist-map");
  var dataBlock = document.getElementById("worklist-map-data");
  if (!element || !dataBlock || typeof L === "undefined") return;
  var data = JSON.parse(dataBlock.textContent);
  if (!data.points || !data.points.length) return;
  var recordLabel = element.getAttribute("data-label-record") || "";
  var colours = { not_visited: "#1f5fa8", visited: "#2e7d32", conflict: "#b3261e" };

  var map = L.map(element, { attributionControl: true });
  map.attributionControl.setPrefix(false);
  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
    if (data.tile_attribution) map.attributionControl.addAttribution(escapeHtml(data.tile_attribution));
  }

  function line(box, text) {
    if (!text) return;
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(text));
  }

  function popup(p) {
    var box = document.createElement("div");
    box.className = "worklist-popup";
    var code = document.createElement("strong");
    code.textContent = p.code;
    box.appendChild(code);
    line(box, p.head);
    line(box, p.address);
    line(box, p.status_label);
    // Only a link into this site: the server builds it, but never trust a scheme.
    if (typeof p.url === "string" && p.url.charAt(0) === "/" && p.url.charAt(1) !== "/") {
      var para = document.createElement("p");
      var link = document.createElement("a");
      link.className = "button";
      link.setAttribute("href", p.url);
      link.textContent = recordLabel;
      para.appendChild(link);
      box.appendChild(para);
    }
    return box;
  }

  var markers = data.points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 9, color: "#fff", weight: 2, fillOpacity: 0.9,
      fillColor: colours[p.status] || "#555"
    });
    var label = document.createElement("span");
    label.textContent = p.head ? p.code + " · " + p.head : p.code;
    marker.bindTooltip(label);
    marker.bindPopup(popup(p));
    return marker;
  });
  var group = L.featureGroup(markers).addTo(map);
  map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 18 });
})();
