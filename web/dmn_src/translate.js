// dmn-js's 'translate' service in Chinese: the label from the dictionary, {placeholders} filled in.
import translations from './translations-zh.js';

export function translate(template, replacements) {
  const text = translations[template] || template;
  return text.replace(/{([^}]+)}/g, (placeholder, name) =>
    replacements && name in replacements ? replacements[name] : placeholder);
}

export default {
  translate: ['value', translate]
};
