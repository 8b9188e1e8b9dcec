// The unit picker (templates/_unit_picker.html): a search box over a fieldset of unit checkboxes, and groups
// (各街道、镇 …) that tick or untick their members. Progressive enhancement: without this file the checkboxes work.
(function () {
  "use strict";

  function boxes(picker) {
    return Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
  }

  function addSearch(picker) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.placeholder = "输入单位名称筛选";
    search.setAttribute("aria-label", "筛选单位");
    search.addEventListener("input", function () {
      var wanted = search.value.trim();
      picker.querySelectorAll("label.choice").forEach(function (choice) {
        choice.hidden = wanted !== "" && choice.textContent.indexOf(wanted) === -1;
      });
    });
    var legend = picker.querySelector("legend");
    legend.parentNode.insertBefore(search, legend.nextSibling);
  }

  function linkGroups(picker) {
    var all = boxes(picker);
    all.forEach(function (group) {
      var members = (group.getAttribute("data-members") || "").split(" ").filter(Boolean);
      if (!members.length) { return; }
      group.addEventListener("change", function () {
        all.forEach(function (box) {
          if (members.indexOf(box.value) !== -1) { box.checked = group.checked; }
        });
      });
    });
  }

  // A one-unit choice (<select data-unit-select>, the reassign and role-mapping forms): a search box before it
  // hides the units whose names do not hold the text and selects the first that does.
  function addSelectSearch(select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.placeholder = "输入单位名称筛选";
    search.setAttribute("aria-label", "筛选单位：" + (select.getAttribute("aria-label") || "改派给"));
    search.disabled = select.disabled;
    search.addEventListener("input", function () {
      var wanted = search.value.trim(), first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var shown = !option.value || wanted === "" || option.textContent.indexOf(wanted) !== -1;
        option.hidden = !shown;
        if (shown && option.value && !first) { first = option; }
      });
      if (wanted && first) { select.value = first.value; }
    });
    select.parentNode.insertBefore(search, select);
  }

  document.querySelectorAll("select[data-unit-select]").forEach(addSelectSearch);

  document.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
    addSearch(picker);
    linkGroups(picker);
  });
})();
