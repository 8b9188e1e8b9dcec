// The modeler's 'translate' service in Chinese (see translator.js).
import translations from './translations-zh.js';
import { translatorOf } from './translator.js';

export const translate = translatorOf(translations);

export default {
  translate: ['value', translate]
};
