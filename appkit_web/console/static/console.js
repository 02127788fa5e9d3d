// Keeps the expiry countdowns current; the page works without it.
(function () {
  function left(deadline) {
    var ms = new Date(deadline).getTime() - Date.now();
    if (!(ms > 0)) return "expired";
    var minutes = Math.floor(ms / 60000), days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60), mins = minutes % 60;
    if (days) return days + " d " + hours + " h left";
    if (hours) return hours + " h " + mins + " min left";
    return Math.max(mins, 1) + " min left";
  }
  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      el.textContent = left(el.getAttribute("data-deadline"));
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 30000); });
})();
