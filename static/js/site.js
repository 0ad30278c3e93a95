/* The print header shows the date the page is printed. */
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    var now = new Date();
    document.querySelectorAll("[data-print-date]").forEach(function (element) {
      element.textContent = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日";
    });
  });
})();
