// kslive: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function counters() {
    document.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var input = document.getElementById(counter.dataset.counterFor);
      var max = Number(input.dataset.max || input.maxLength);
      function update() {
        var used = Array.from(input.value).length;
        counter.textContent = used + " / " + max;
        counter.classList.toggle("over", used > max);
      }
      input.addEventListener("input", update);
      update();
    });
  }

  function coverPreview() {
    var input = document.querySelector("[data-cover-input]");
    if (!input) return;
    var frame = document.querySelector("[data-cover-frame]");
    var img = document.querySelector("[data-cover-preview]");
    var empty = document.querySelector("[data-cover-empty]");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      img.src = URL.createObjectURL(file);
      img.hidden = false;
      if (empty) empty.hidden = true;
    });
    document.querySelectorAll("input[name=cover_fit]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        frame.classList.toggle("pad", radio.value === "pad" && radio.checked);
      });
    });
  }

  function singleSubmit() {
    document.querySelectorAll("form[data-golive]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("[data-submit]");
        if (button) {
          button.disabled = true;
          button.classList.add("busy");
        }
      });
    });
  }

  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.dataset.copy);
        var label = button.textContent;
        function done() {
          button.textContent = button.dataset.copied;
          setTimeout(function () { button.textContent = label; }, 1500);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done);
        } else {
          input.select();
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  // The units come from the page (data-days, data-hours, data-minutes), in the reader's language.
  function countdowns() {
    var nodes = document.querySelectorAll("[data-countdown]");
    if (!nodes.length) return;
    function tick() {
      nodes.forEach(function (node) {
        var unit = node.dataset;
        var left = Math.max(0, Math.floor((Date.parse(node.dataset.countdown) - Date.now()) / 1000));
        var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
        node.textContent = (d ? d + unit.days + " " : "") + h + unit.hours + " " + String(m).padStart(2, "0") + unit.minutes;
      });
    }
    tick();
    setInterval(tick, 30000);
  }

  function statusPoll() {
    var box = document.querySelector("[data-status-poll]");
    if (!box) return;
    var final = ["ended", "failed", "expired", "replaced", "lost"];
    var current = box.querySelector("[data-status]").dataset.status;
    if (final.indexOf(current) >= 0) return;
    // Every second; a relay that is starting asks for less (data-poll-ms on the status).
    function next() {
      var ms = Number(box.querySelector("[data-status]").dataset.pollMs) || 1000;
      setTimeout(poll, ms);
    }
    function poll() {
      fetch(box.dataset.statusPoll, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return next();
          box.innerHTML = html;
          syncParts(box);
          var status = box.querySelector("[data-status]").dataset.status;
          document.body.dataset.liveStatus = status;
          if (status !== current) {
            // Leaving "requesting" brings the push URL (or the reason there is none), leaving
            // "rehearsing" the relay's live state: show the page anew.
            if (current === "requesting" || current === "rehearsing") window.location.reload();
            current = status;
            refreshSections();
          }
          if (final.indexOf(status) >= 0) {
            document.querySelectorAll("[data-while-active]").forEach(function (node) { node.hidden = true; });
            return;
          }
          next();
        })
        .catch(next);
    }
    next();
  }

  // The status answer carries fresh copies of some parts of the page (the relay's encoder
  // check and what it feeds Kuaishou) as <template data-sync="name">: put them in place.
  // A change of what the relay feeds Kuaishou (a drop, a return) is on the timeline too.
  function syncParts(box) {
    var feed = document.querySelector("[data-feed]");
    var before = feed ? feed.dataset.feed : null;
    box.querySelectorAll("template[data-sync]").forEach(function (part) {
      var target = document.querySelector('[data-sync-target="' + part.dataset.sync + '"]');
      if (target && target.innerHTML !== part.innerHTML) target.innerHTML = part.innerHTML;
    });
    feed = document.querySelector("[data-feed]");
    if (feed && before !== null && feed.dataset.feed !== before) refreshSections();
  }

  // The rehearsal preview: HLS from kslive's ingest, through hls.js (Safari on iOS, without
  // Media Source Extensions, plays HLS itself).
  // The playlist appears a few seconds after the encoder starts: keep trying until it plays.
  function preview() {
    var video = document.querySelector("video[data-hls]");
    if (!video) return;
    var url = video.dataset.hls;
    function start() {
      if (!window.Hls || !window.Hls.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) {
          video.src = url;
          video.play().catch(function () {});
        }
        return;
      }
      var hls = new window.Hls({ enableWorker: false, liveSyncDurationCount: 2, manifestLoadingMaxRetry: 0 });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return;
        hls.destroy();
        setTimeout(start, 2000);
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () { video.play().catch(function () {}); });
      hls.loadSource(url);
      hls.attachMedia(video);
    }
    // hls.js is deferred like this file and comes after it: DOMContentLoaded waits for both.
    document.addEventListener("DOMContentLoaded", start);
  }

  // Sections marked data-refresh-on-change (the history) are re-read from the page.
  function refreshSections() {
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-refresh-on-change]").forEach(function (node, index) {
          var replacement = fresh.querySelectorAll("[data-refresh-on-change]")[index];
          if (replacement) node.innerHTML = replacement.innerHTML;
        });
      })
      .catch(function () {});
  }

  function confirms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  // iPadOS Safari calls itself a Mac: a touch screen on a "Mac" asks for Kuaishou's phone
  // consent page, which the server cannot tell from the User-Agent alone.
  function touchMac() {
    var touch = navigator.maxTouchPoints > 1 && /Macintosh/.test(navigator.userAgent);
    document.querySelectorAll("[data-touch-mac]").forEach(function (input) { input.value = touch ? "1" : ""; });
  }

  // "What are you streaming from?": show only what that encoder needs (all of it without JS),
  // and remember the choice for the next live.
  function picker() {
    var box = document.querySelector("[data-picker]");
    if (!box) return;
    var remembered = null;
    try { remembered = window.localStorage.getItem("kslive-encoder"); } catch (error) {}
    var radios = box.querySelectorAll("input[name=encoder]");
    radios.forEach(function (radio) { if (radio.value === remembered) radio.checked = true; });
    function show() {
      var chosen = box.querySelector("input[name=encoder]:checked").value;
      document.querySelectorAll("[data-encoder]").forEach(function (section) {
        section.hidden = section.dataset.encoder !== chosen;
      });
      try { window.localStorage.setItem("kslive-encoder", chosen); } catch (error) {}
    }
    radios.forEach(function (radio) { radio.addEventListener("change", show); });
    show();
  }

  touchMac();
  picker();
  counters();
  coverPreview();
  singleSubmit();
  copyButtons();
  countdowns();
  statusPoll();
  confirms();
  preview();
})();
