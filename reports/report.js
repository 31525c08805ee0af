(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("findings-table");
  var count = document.getElementById("filter-count");
  if (form && table && count) {
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var fields = {
      status: document.getElementById("f-status"),
      severity: document.getElementById("f-severity"),
      label: document.getElementById("f-label"),
      text: document.getElementById("f-text")
    };
    var apply = function () {
      var status = fields.status.value;
      var severity = fields.severity.value;
      var label = fields.label.value;
      var text = fields.text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var ok = (!status || row.getAttribute("data-status") === status) &&
          (!severity || row.getAttribute("data-severity") === severity) &&
          (!label || row.getAttribute("data-label") === label) &&
          (!text || row.textContent.toLowerCase().indexOf(text) !== -1);
        row.classList.toggle("hidden", !ok);
        if (ok) { shown += 1; }
      });
      count.textContent = "Showing " + shown + " of " + rows.length + " findings.";
    };
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.hidden = false;
    count.hidden = false;
    apply();
  }
  // Printing shows the evidence of every finding that needs action (fail, unknown, waived)
  // and the rule rationales; the previous state comes back afterwards.
  var opened = [];
  var toOpen = "tr[data-status=fail] details:not([open]), tr[data-status=unknown] details:not([open]), " +
    "tr[data-status=waived] details:not([open]), #appendix details:not([open])";
  window.addEventListener("beforeprint", function () {
    opened = [];
    Array.prototype.forEach.call(document.querySelectorAll(toOpen), function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());
