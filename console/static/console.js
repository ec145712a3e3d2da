// The console's own script: htmx requests carry the session's CSRF token as a header.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
// fetch() helper for pages' own scripts: JSON with the CSRF header.
window.consoleFetch = function (url, options) {
  options = options || {};
  options.headers = options.headers || {};
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    options.headers["X-CSRF-Token"] = meta.content;
  }
  options.credentials = "same-origin";
  return fetch(url, options);
};
