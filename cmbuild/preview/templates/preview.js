/* cmbuild preview: calendar view switch and "see more" folds. Without scripts, both calendar
   views and every full text are shown. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  var buttons = document.querySelectorAll("[data-view]");
  var panels = document.querySelectorAll("[data-view-panel]");
  function showView(name) {
    panels.forEach(function (panel) {
      panel.hidden = panel.getAttribute("data-view-panel") !== name;
    });
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-view") === name));
    });
  }
  if (buttons.length) {
    document.querySelectorAll(".view-switch").forEach(function (group) { group.hidden = false; });
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var name = button.getAttribute("data-view");
        showView(name);
        history.replaceState(null, "", "#" + name);
      });
    });
    var hash = location.hash.slice(1);
    showView(hash === "week" || hash.indexOf("w-") === 0 ? "week" : "month");
    if (hash && hash !== "week" && hash !== "month") {
      var target = document.getElementById(hash);
      if (target) { target.scrollIntoView(); }
    }
  }

  document.querySelectorAll("button.see-more").forEach(function (button) {
    var rest = document.getElementById(button.getAttribute("aria-controls"));
    if (!rest) { return; }
    function setOpen(open) {
      rest.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "see less" : "…see more";
    }
    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
  });
})();
