// The error summary of a refused form (views/partials/form-errors.ejs): it takes the focus when the
// page loads, so a keyboard or screen-reader user starts from it; a link of it puts the focus on its
// input, with the input's label in view (a plain jump to the fragment would hide the label above it,
// and not every browser focuses the target). The page may hold the script twice: it runs once.
/* global CSS, Element */
(function () {
  'use strict';
  if (document.documentElement.hasAttribute('data-error-summary')) return;
  document.documentElement.setAttribute('data-error-summary', '');

  var summary = document.querySelector('.error-summary');
  if (summary) summary.focus();

  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('.error-summary a[href^="#"]') : null;
    if (!link) return;
    var input = document.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!input) return;
    event.preventDefault();
    var label = input.id ? document.querySelector('label[for="' + CSS.escape(input.id) + '"]') : null;
    (label || input.closest('label') || input).scrollIntoView();
    input.focus({ preventScroll: true });
  });
})();
