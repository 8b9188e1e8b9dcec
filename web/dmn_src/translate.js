// dmn-js's 'translate' service in Chinese (see web/editor_src/translator.js).
import translations from './translations-zh.js';
import { translatorOf } from '../editor_src/translator.js';

export const translate = translatorOf(translations);

export default {
  translate: ['value', translate]
};
