/* The print header shows the date the page is printed; printed pages show every table. */
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    var now = new Date();
    document.querySelectorAll("[data-print-date]").forEach(function (element) {
      element.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日";
    });
    document.querySelectorAll("details.table-toggle:not([open])").forEach(function (details) {
      details.setAttribute("open", "");
      details.setAttribute("data-opened-for-print", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (details) {
      details.removeAttribute("open");
      details.removeAttribute("data-opened-for-print");
    });
  });
})();
