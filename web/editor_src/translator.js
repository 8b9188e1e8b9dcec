// A bpmn.io 'translate' function over a dictionary: the label from it, {placeholders} filled in. Shared by the
// process editor (web/editor_src/translate.js) and the decision table editor (web/dmn_src/translate.js).
export function translatorOf(translations) {
  return function translate(template, replacements) {
    const text = translations[template] || template;
    return text.replace(/{([^}]+)}/g, (placeholder, name) =>
      replacements && name in replacements ? replacements[name] : placeholder);
  };
}
