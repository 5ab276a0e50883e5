/*
 * Response templates on a difficulty's page: choosing one in a <select data-fills="ID"> writes its
 * text into the note textarea ID, where the officer can still edit it. Without this script the
 * server uses the chosen template when the note is left empty. Event delegation on the document, so
 * it keeps working after htmx swaps and boosted navigation.
 */
(function () {
  "use strict";
  if (window.sirDifficulties) return;
  window.sirDifficulties = true;
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-fills]")) return;
    var note = document.getElementById(select.dataset.fills);
    var option = select.options[select.selectedIndex];
    if (!note || !option || !option.dataset.text) return;
    note.value = option.dataset.text;
    note.focus();
  });
})();
