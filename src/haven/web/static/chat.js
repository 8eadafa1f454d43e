// Haven chat: sends messages without reloading the page when JavaScript is available.
// Without it, the same form posts and the page reloads. Text is always inserted as text, never HTML.
(function () {
  "use strict";
  var form = document.getElementById("chat-form");
  if (!form || !window.fetch) { return; }
  var list = document.getElementById("messages");
  var field = document.getElementById("text");
  var quick = document.getElementById("quick-replies");
  var announcer = document.getElementById("announcer");
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var url = "/api/v1/conversations/" + form.getAttribute("data-conversation") + "/messages";
  var busy = false;

  // Same rule as the server's internal_links filter: only Haven's own /help and /library/… paths become links.
  function appendWithInternalLinks(parent, text) {
    var pattern = /(^|[^\w\/])\/(help|library\/[a-z0-9-]+)\b/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      var start = match.index + match[1].length;
      parent.appendChild(document.createTextNode(text.slice(last, start)));
      var link = document.createElement("a");
      link.href = "/" + match[2];
      link.textContent = "/" + match[2];
      parent.appendChild(link);
      last = start + match[2].length + 1;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function addMessage(author, text, extra) {
    var item = document.createElement("li");
    item.className = "message message-" + author;
    var who = document.createElement("span");
    who.className = "author";
    who.textContent = author === "member" ? "You" : "Haven";
    var body = document.createElement("p");
    body.className = "text";
    appendWithInternalLinks(body, text);
    item.appendChild(who);
    item.appendChild(body);
    if (extra && extra.article) {
      var p = document.createElement("p");
      p.className = "article-link";
      var link = document.createElement("a");
      link.href = extra.article.url;
      link.textContent = "Read: " + extra.article.title;
      p.appendChild(link);
      item.appendChild(p);
    }
    if (extra && extra.exercise) {
      var step = document.createElement("p");
      step.className = "hint";
      step.textContent = "Exercise step " + extra.exercise.step + " of " + extra.exercise.of;
      item.appendChild(step);
    }
    var old = document.getElementById("latest");
    if (old) { old.removeAttribute("id"); }
    item.id = "latest";
    list.appendChild(item);
    item.scrollIntoView({block: "end"});
  }

  function setQuickReplies(options) {
    while (quick.firstChild) { quick.removeChild(quick.firstChild); }
    options.forEach(function (label) {
      var button = document.createElement("button");
      button.type = "submit";
      button.name = "quick";
      button.value = label;
      button.className = "quick";
      button.textContent = label;
      quick.appendChild(button);
    });
    quick.hidden = options.length === 0;
  }

  function showError(message) {
    var box = document.getElementById("error");
    if (!box) {
      box = document.createElement("div");
      box.id = "error";
      box.className = "error-summary";
      box.setAttribute("role", "alert");
      form.parentNode.insertBefore(box, form);
    }
    box.textContent = message;
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var text = submitter && submitter.name === "quick" ? submitter.value : field.value;
    if (busy) { event.preventDefault(); return; }
    if (!text.trim()) { event.preventDefault(); showError("Write something first."); field.focus(); return; }
    event.preventDefault();
    busy = true;
    addMessage("member", text.trim());
    field.value = "";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify({text: text})
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) { showError(result.body.error ? result.body.error.message : "Something went wrong."); return; }
      var reply = result.body.reply;
      var old = document.getElementById("error");
      if (old) { old.parentNode.removeChild(old); }
      addMessage("haven", reply.text, reply);
      setQuickReplies(reply.quick_replies || []);
      announcer.textContent = "Haven: " + reply.text;
    }).catch(function () {
      showError("Could not reach Haven. Your message was not sent; please try again.");
    }).then(function () {
      busy = false;
      field.focus();
    });
  });
})();
