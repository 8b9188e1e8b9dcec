// The process editor page: bpmn-js Modeler with the Camunda properties panel, in Chinese.
// Talks to the JSON endpoints of web/editor.py: save a draft, validate, deploy as a new version.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import { changesAgainst, confirmDeployment } from './deploy-review.js';
import { postJSON as postRequest } from './http.js';
import deployableGroupsModule from './panel-filter.js';
import { bindRolesPanel } from './roles-panel.js';
import translateModule, { translate } from './translate.js';

// Below this width the modeler's canvas and panel do not fit: the page opens the diagram read-only instead.
const NARROW = '(max-width: 900px)';

// The editor's own words for an expired page: the diagram on screen is kept by downloading it first.
const EXPIRED = '页面已过期：请先点“下载当前流程图”保存，再刷新页面';

function postJSON(url, body) {
  return postRequest(url, body, EXPIRED);
}

// The engine runs only executable processes: mark every process of the diagram so before saving.
function markExecutable(modeler) {
  const definitions = modeler.getDefinitions();
  (definitions.rootElements || [])
    .filter(element => element.$instanceOf('bpmn:Process'))
    .forEach(process => { process.isExecutable = true; });
}

async function currentXML(modeler) {
  markExecutable(modeler);
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

class EditorPage {
  constructor(root) {
    this.root = root;
    this.urls = root.dataset;
    this.status = document.getElementById('editor-status');
    this.problems = document.getElementById('editor-problems');
    this.notes = document.getElementById('editor-notes');
    this.modeler = new BpmnModeler({
      container: document.getElementById('editor-canvas'),
      propertiesPanel: { parent: document.getElementById('editor-properties') },
      additionalModules: [
        BpmnPropertiesPanelModule,
        BpmnPropertiesProviderModule,
        CamundaPlatformPropertiesProviderModule,
        CamundaBehaviorsModule,
        deployableGroupsModule,
        translateModule
      ],
      moddleExtensions: { camunda: camundaModdle }
    });
    this.dirty = false;
    this.modeler.on('commandStack.changed', () => { this.dirty = true; });
    this.bind('editor-save', () => this.saveDraft());
    this.bind('editor-validate', () => this.validate());
    this.bind('editor-deploy', () => this.deploy());
    this.bind('editor-download', () => this.download());
    bindRolesPanel(postJSON, () => this.refreshSections(window.location.href));
  }

  bind(id, action) {
    const button = document.getElementById(id);
    if (button) {
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await action();
        } catch (error) {
          this.say(`操作失败：${error.message}`, 'error');
        } finally {
          button.disabled = false;
        }
      });
    }
  }

  say(message, kind = 'info') {
    this.status.textContent = message;
    this.status.className = `editor-status ${kind}`;
  }

  async open() {
    const response = await fetch(this.urls.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`无法读取流程图（${response.status}）`);
    }
    const { warnings } = await this.modeler.importXML(await response.text());
    this.modeler.get('canvas').resized();
    this.fit();
    this.dirty = false;
    this.root.dataset.state = 'ready';
    if (warnings.length) {
      this.say(`流程图已打开，有 ${warnings.length} 处无法识别的内容：${warnings[0].message}`, 'warning');
    }
  }

  // The whole diagram in view, right of the palette so that it covers no lane or pool label, as large as the
  // box allows (at most 1.5 times). A canvas with no size yet (a hidden or squeezed box) is left alone: fitting
  // it would divide by zero ("Failed to execute 'scale' on 'SVGMatrix'").
  fit() {
    const canvas = this.modeler.get('canvas');
    const container = canvas.getContainer();
    const frame = container.getBoundingClientRect();
    const inner = canvas.viewbox().inner;
    if (frame.width < 50 || frame.height < 50 || !inner.width || !inner.height) {
      return;
    }
    const palette = container.querySelector('.djs-palette');
    const left = (palette ? palette.getBoundingClientRect().right - frame.left : 0) + 20;
    const margin = 20;
    const scale = Math.min((frame.width - left - margin) / inner.width, (frame.height - 2 * margin) / inner.height, 1.5);
    if (!(scale > 0)) {
      return;
    }
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - margin / scale,
                     width: frame.width / scale, height: frame.height / scale });
  }

  async saveDraft() {
    const { ok, data } = await postJSON(this.urls.draftUrl, { xml: await currentXML(this.modeler) });
    if (ok) {
      this.dirty = false;
    }
    this.say(data.message, ok ? 'success' : 'error');
  }

  async validate() {
    const { ok, data } = await postJSON(this.urls.validateUrl, { xml: await currentXML(this.modeler) });
    this.showProblems(data.problems || [], data.warnings || []);
    this.showNotes(data.notes || []);
    this.say(data.message, ok && !(data.problems || []).length ? 'success' : 'error');
  }

  // Asks first, showing what changes against the deployed version; then deploys and shows the new version.
  async deploy() {
    const xml = await currentXML(this.modeler);
    if (!await confirmDeployment(document.getElementById('deploy-review'), await this.review(xml))) {
      this.say('已取消部署，流程图未改变', 'info');
      return;
    }
    const { ok, data } = await postJSON(this.urls.deployUrl, { xml });
    this.showProblems(data.problems || []);
    this.showNotes(data.notes || []);
    this.say(data.message, ok ? 'success' : 'error');
    if (ok) {
      this.dirty = false;
      const mine = (data.definitions || []).find(d => d.key === this.root.dataset.key) || data.definitions[0];
      await this.showVersion(mine);
      this.root.dataset.deployed = (data.definitions || []).map(d => `${d.key}:${d.version}`).join(',');
    }
  }

  async review(xml) {
    const response = await fetch(this.urls.deployedUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`无法读取已部署的版本（${response.status}）`);
    }
    const deployed = await response.json();
    const review = { version: deployed.version, unfinished: deployed.unfinished, byVersion: deployed.by_version,
                     added: [], removed: [], changed: [] };
    if (deployed.xml_url) {
      const old = await fetch(deployed.xml_url, { credentials: 'same-origin' });
      Object.assign(review, await changesAgainst(this.modeler.get('moddle'), await old.text(), xml, translate));
    }
    return review;
  }

  // After a deployment the page is the new version's: its heading line, its 角色对应 and the version list come
  // from the server's page for it, the diagram on screen already is that version.
  async showVersion(definition) {
    const url = `${definition.url}?version=${definition.version}`;
    const fresh = await this.refreshSections(url);
    if (fresh) {
      this.urls.xmlUrl = fresh.getElementById('editor').dataset.xmlUrl;
      history.replaceState(null, '', url);
    }
  }

  // Replaces the server-rendered sections around the modeler with those of the page at url; returns that page.
  async refreshSections(url) {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) {
      return null;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    for (const selector of ['#editor-opened', '#editor-roles', 'section.versions', '#editor-discard']) {
      const now = document.querySelector(selector), next = fresh.querySelector(selector);
      if (now && next) {
        now.replaceWith(next);
      } else if (now && selector === '#editor-discard') {
        now.remove();  // a deployed draft is a version now: nothing is left to discard
      } else if (next && selector === '#editor-discard') {
        document.getElementById('editor-status').before(next);
      } else if (next) {
        (document.getElementById('editor-roles') || document.querySelector('.editor-report')).after(next);
      }
    }
    return fresh;
  }

  // The diagram as it is on screen, to keep as a file (or to upload again) whatever the server says.
  async download() {
    const blob = new Blob([await currentXML(this.modeler)], { type: 'application/xml' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `${this.root.dataset.key}.bpmn`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  showNotes(notes) {
    this.notes.replaceChildren(...notes.map(note => {
      const item = document.createElement('li');
      item.textContent = note;
      return item;
    }));
  }

  // Blocking problems first, then bpmnlint's warnings, which do not stop a deployment.
  showProblems(problems, warnings = []) {
    this.problems.replaceChildren(
      ...problems.map(problem => this.problemItem(problem, '')),
      ...warnings.map(warning => this.problemItem(warning, '（提示）')));
  }

  // A process drawn as a pool is on the canvas as its participant.
  elementOf(id) {
    const registry = this.modeler.get('elementRegistry');
    if (!id) {
      return null;
    }
    return registry.get(id) || registry.find(element =>
      element.type === 'bpmn:Participant' && element.businessObject.processRef &&
      element.businessObject.processRef.id === id) || null;
  }

  problemItem(problem, prefix) {
    const item = document.createElement('li');
    const element = this.elementOf(problem.element);
    const name = element && element.businessObject.name;
    const where = element ? (name ? `${name}（${problem.element}）` : problem.element) : '整个流程图';
    const text = `${prefix}${where}：${problem.message}`;
    if (!element) {
      item.textContent = text;
      return item;
    }
    const link = document.createElement('button');
    link.type = 'button';
    link.className = 'problem-link';
    link.dataset.element = element.id;
    link.textContent = text;
    link.addEventListener('click', () => {
      this.modeler.get('selection').select(element);
      this.modeler.get('canvas').scrollToElement(element);
    });
    item.appendChild(link);
    return item;
  }
}

// A phone or a narrow window: the diagram to look at (move and zoom), not to edit.
class ReadOnlyPage {
  constructor(root) {
    this.root = root;
    this.modeler = new NavigatedViewer({
      container: document.getElementById('editor-canvas'),
      additionalModules: [translateModule],
      moddleExtensions: { camunda: camundaModdle }
    });
    root.classList.add('read-only');
    document.getElementById('editor-narrow-note').hidden = false;
    document.querySelectorAll('.editor-actions button').forEach(button => {
      button.hidden = button.id !== 'editor-download';
    });
    this.status = document.getElementById('editor-status');
    document.getElementById('editor-download').addEventListener('click', () => {
      window.location.assign(this.root.dataset.xmlUrl);
    });
  }

  say(message, kind = 'info') {
    this.status.textContent = message;
    this.status.className = `editor-status ${kind}`;
  }

  async open() {
    const response = await fetch(this.root.dataset.xmlUrl, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`无法读取流程图（${response.status}）`);
    }
    await this.modeler.importXML(await response.text());
    const box = this.modeler.get('canvas').getContainer().getBoundingClientRect();
    if (box.width >= 50 && box.height >= 50) {
      this.modeler.get('canvas').zoom('fit-viewport');
    }
    this.root.dataset.state = 'ready';
  }
}

const root = document.getElementById('editor');
if (root) {
  const page = window.matchMedia(NARROW).matches ? new ReadOnlyPage(root) : new EditorPage(root);
  window.putuoEditor = page;  // the browser tests draw through the modeler's API
  page.open().catch(error => {
    root.dataset.state = 'failed';
    page.say(`流程图无法打开：${error.message}`, 'error');
  });
}
