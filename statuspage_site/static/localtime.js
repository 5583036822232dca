(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === "UTC" || zone === "Etc/UTC") return;
  var fields = {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  };
  var format = new Intl.DateTimeFormat(undefined, fields);
  fields.second = "2-digit";
  var precise = new Intl.DateTimeFormat(undefined, fields);
  document.querySelectorAll("time[datetime]").forEach(function (node) {
    var when = new Date(node.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "local";
    local.textContent = " (" + (node.hasAttribute("data-seconds") ? precise : format).format(when) + ")";
    node.after(local);
  });
})();
