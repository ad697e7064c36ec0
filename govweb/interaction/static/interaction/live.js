/* Live interview: poll the page's JSON feed and append newly answered questions (no reload).
   Without JavaScript the page offers a refresh link instead. */
(function () {
  var list = document.getElementById("live-answers");
  if (!list || list.dataset.phase === "archived") return;
  var refresh = document.querySelector(".no-js-refresh");
  if (refresh) refresh.hidden = true;
  var after = parseInt(list.dataset.after || "0", 10);
  var interval = parseInt(list.dataset.interval || "3000", 10);

  function para(cls, who, text) {
    var p = document.createElement("p");
    p.className = cls;
    var strong = document.createElement("strong");
    strong.textContent = who;
    p.appendChild(strong);
    p.appendChild(document.createTextNode("：" + text));
    return p;
  }

  function poll() {
    fetch(list.dataset.liveUrl + "?after=" + after, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.answers.forEach(function (a) {
          if (document.getElementById("qa-" + a.id)) return;
          var li = document.createElement("li");
          li.id = "qa-" + a.id;
          li.className = "new";
          li.appendChild(para("q", list.dataset.questionLabel + " " + a.asker, a.question));
          li.appendChild(para("a", a.guest, a.answer));
          list.appendChild(li);
          after = Math.max(after, a.id);
          var empty = document.getElementById("no-answers");
          if (empty) empty.remove();
        });
        if (data.phase !== "archived") setTimeout(poll, interval);
      })
      .catch(function () { setTimeout(poll, interval * 2); });
  }
  setTimeout(poll, interval);
})();
