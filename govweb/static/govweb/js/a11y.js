/* Accessibility enhancements (the essentials work without this script):
   - read-aloud (朗读) through the browser's speech synthesis, where present;
   - links to other sites of the cluster carry the accessibility choice over to them. */
(function () {
  "use strict";
  var body = document.body;
  var button = document.querySelector(".read-aloud");
  if (button && "speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    var label = button.textContent;
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var synth = window.speechSynthesis;
      if (synth.speaking) {
        synth.cancel();
        return;
      }
      var selected = String(window.getSelection ? window.getSelection() : "").trim();
      var main = document.getElementById("main");
      var text = selected || (main ? main.innerText : document.title);
      var utterance = new SpeechSynthesisUtterance(text.slice(0, 8000));
      utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
      utterance.rate = body.classList.contains("a11y-elder") ? 0.85 : 1;
      utterance.onstart = function () { button.textContent = button.getAttribute("data-label-stop"); button.setAttribute("aria-pressed", "true"); };
      utterance.onend = utterance.onerror = function () { button.textContent = label; button.setAttribute("aria-pressed", "false"); };
      synth.speak(utterance);
    });
  }
  var modes = body.getAttribute("data-a11y");
  var hosts = (body.getAttribute("data-cluster-hosts") || "").split(" ");
  if (modes && hosts.length) {
    var links = document.querySelectorAll("a[href^='http']");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      if (link.hostname !== location.hostname && hosts.indexOf(link.hostname) !== -1 &&
          link.pathname.indexOf("/a11y/") !== 0) {
        var next = link.pathname + link.search;
        link.href = link.protocol + "//" + link.host + "/a11y/?set=" + encodeURIComponent(modes) +
          "&next=" + encodeURIComponent(next);
      }
    }
  }
})();
