// The web chat page: sends what the citizen types to the bot (POST webhook, beside this page)
// and shows the replies. Plain JavaScript, no framework, no build step, nothing from the internet.
(function () {
  "use strict";

  var SENDER_KEY = "legalaid.webchat.sender";
  var SENDER_PATTERN = /^[0-9a-f]{32,64}$/;
  var TIMEOUT_MS = 60000;
  var HUMAN = "转人工";
  var NETWORK_ERROR = "网络不通，请稍后再试，或拨打12348";
  var NO_REPLY = "助手这次没有回答，请再发一次，或拨打12348";
  var OLD_BROWSER = "这个浏览器太旧，用不了在线咨询。请换一个浏览器，或拨打12348";

  var messages = document.getElementById("messages");
  var form = document.getElementById("form");
  var input = document.getElementById("input");
  var sendButton = document.getElementById("send");
  var errorLine = document.getElementById("error");
  var humanButton = document.getElementById("human");
  var memorySender = null;
  var busy = false;

  // A random id of 128 bits, kept for this browser tab only: nobody can guess it to read
  // or continue someone else's conversation.
  function newSenderId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function senderId() {
    try {
      var stored = window.sessionStorage.getItem(SENDER_KEY);
      if (stored && SENDER_PATTERN.test(stored)) {
        return stored;
      }
      var fresh = newSenderId();
      window.sessionStorage.setItem(SENDER_KEY, fresh);
      return fresh;
    } catch (e) {
      // storage switched off (private mode): the id lives as long as the page
      if (!memorySender) {
        memorySender = newSenderId();
      }
      return memorySender;
    }
  }

  function showError(text) {
    errorLine.textContent = text;
    errorLine.hidden = false;
  }

  function clearError() {
    errorLine.hidden = true;
    errorLine.textContent = "";
  }

  function addMessage(who, text, extraClass) {
    var p = document.createElement("p");
    p.className = "msg " + who + (extraClass ? " " + extraClass : "");
    var label = document.createElement("span");
    label.className = "who";
    label.textContent = who === "user" ? "我说：" : "助手说：";
    p.appendChild(label);
    // textContent, never HTML: the CSS keeps the line breaks
    p.appendChild(document.createTextNode(text));
    messages.appendChild(p);
    return p;
  }

  function removeChoices() {
    var groups = messages.querySelectorAll(".choices");
    for (var i = 0; i < groups.length; i++) {
      groups[i].parentNode.removeChild(groups[i]);
    }
  }

  function addChoices(buttons) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "可以点的回答");
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string") {
        return;
      }
      var b = document.createElement("button");
      b.type = "button";
      b.className = "choice";
      b.textContent = button.title;
      var payload = typeof button.payload === "string" && button.payload ? button.payload : button.title;
      b.addEventListener("click", function () {
        send(payload, button.title, false);
      });
      group.appendChild(b);
    });
    if (group.childNodes.length) {
      messages.appendChild(group);
    }
  }

  function showReplies(replies) {
    var first = null;
    replies.forEach(function (reply) {
      if (!reply || typeof reply !== "object") {
        return;
      }
      if (typeof reply.text === "string" && reply.text) {
        var p = addMessage("bot", reply.text);
        first = first || p;
      }
      if (Array.isArray(reply.buttons) && reply.buttons.length) {
        addChoices(reply.buttons);
      }
    });
    // show the start of the answer, not its end: a long answer is read from the top
    if (first) {
      first.scrollIntoView({ block: "start" });
    }
  }

  function scrollToEnd() {
    messages.scrollTop = messages.scrollHeight;
  }

  function keepFocus() {
    try {
      input.focus({ preventScroll: true });
    } catch (e) {
      input.focus();
    }
  }

  // Send one message. `shown` is what the citizen sees as his own words (a button's title);
  // `typed` says whether it came from the box, to be put back there if it cannot be sent.
  function send(message, shown, typed) {
    if (busy || !message.trim()) {
      return;
    }
    if (!window.crypto || !window.crypto.getRandomValues) {
      showError(OLD_BROWSER);
      return;
    }
    busy = true;
    sendButton.disabled = true;
    clearError();
    var mine = addMessage("user", shown);
    if (typed) {
      input.value = "";
    }
    var waiting = addMessage("bot", "请稍等……", "typing");
    scrollToEnd();
    keepFocus();

    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;

    function fail(text) {
      mine.classList.add("failed");
      mine.lastChild.textContent = shown + "（没有发出去）";
      if (typed && !input.value) {
        input.value = message; // nothing the citizen typed is lost
      }
      showError(text);
    }

    fetch("webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: senderId(), message: message }),
      cache: "no-store",
      credentials: "same-origin",
      referrerPolicy: "no-referrer",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (replies) {
        messages.removeChild(waiting);
        if (!Array.isArray(replies) || !replies.length) {
          fail(NO_REPLY);
          return;
        }
        removeChoices();
        showReplies(replies);
      })
      .catch(function () {
        if (waiting.parentNode) {
          waiting.parentNode.removeChild(waiting);
        }
        fail(NETWORK_ERROR);
      })
      .then(function () {
        if (timer) {
          clearTimeout(timer);
        }
        busy = false;
        sendButton.disabled = false;
        keepFocus();
      });
  }

  function sendTyped() {
    var text = input.value;
    if (!text.trim()) {
      keepFocus();
      return;
    }
    send(text.trim(), text.trim(), true);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendTyped();
  });

  // Enter sends, Shift+Enter starts a new line; Enter that picks characters in a Chinese
  // input method (composition) does not send.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      sendTyped();
    }
  });

  humanButton.addEventListener("click", function () {
    send(HUMAN, HUMAN, false);
  });

  senderId();
  keepFocus();
})();
