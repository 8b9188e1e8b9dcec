// The scoring rules page (/admin/decisions/scoring): dmn-js Modeler in Chinese on the scoring decision table.
// Talks to the JSON endpoints of web/decisions.py: save a draft, validate, preview the changes, publish.
import DmnModeler from 'dmn-js/lib/Modeler';
import camundaModdle from 'camunda-dmn-moddle/resources/camunda.json';

import { postJSON } from '../editor_src/http.js';
import translateModule from './translate.js';

const FIRST_VIEW = 'year_end_scoring';

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '—' : String(text);
  row.appendChild(td);
}

class DecisionPage {
  constructor(root) {
    this.root = root;
    this.urls = root.dataset;
    this.status = document.getElementById('dmn-status');
    this.problems = document.getElementById('dmn-problems');
    this.changes = document.getElementById('dmn-changes');
    this.modeler = new DmnModeler({
      container: document.getElementById('dmn-canvas'),
      // Per view: dmn-js replaces (does not merge) a common additionalModules with a view's own.
      drd: { additionalModules: [translateModule] },
      decisionTable: { additionalModules: [translateModule] },
      literalExpression: { additionalModules: [translateModule] },
      moddleExtensions: { camunda: camundaModdle }
    });
    this.modeler.on('views.changed', () => this.showViews());
  }

  say(message, failed) {
    this.status.textContent = message;
    this.status.classList.toggle('error', Boolean(failed));
  }

  async load() {
    const response = await fetch(this.urls.xmlUrl, { credentials: 'same-origin' });
    await this.modeler.importXML(await response.text());
    const first = this.modeler.getViews().find(view => view.element.id === FIRST_VIEW);
    if (first) {
      await this.modeler.open(first);
    }
    this.root.dataset.state = 'ready';
  }

  showViews() {
    const holder = document.getElementById('dmn-views');
    holder.replaceChildren();
    const active = this.modeler.getActiveView();
    for (const view of this.modeler.getViews()) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = view.type === 'drd' ? '决策关系图' : (view.element.name || view.element.id);
      button.classList.toggle('active', active && view.element === active.element);
      button.addEventListener('click', () => this.modeler.open(view));
      holder.appendChild(button);
    }
  }

  async xml() {
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  showProblems(problems) {
    this.problems.replaceChildren();
    for (const problem of problems || []) {
      const item = document.createElement('li');
      item.textContent = problem.message;
      this.problems.appendChild(item);
    }
  }

  showChanges(changes) {
    const body = this.changes.querySelector('tbody');
    body.replaceChildren();
    for (const change of changes) {
      const row = document.createElement('tr');
      row.dataset.project = change.business_key;
      for (const value of [change.business_key, change.text, change.total_before, change.total_after,
        change.grade_before, change.grade_after]) {
        cell(row, value);
      }
      cell(row, change.rules.map(r => `${r.rule}：${r.before ?? '—'} → ${r.after ?? '—'}`).join('；'));
      body.appendChild(row);
    }
    this.changes.hidden = changes.length === 0;
  }

  async send(url, working) {
    this.say(working);
    const { ok, data } = await postJSON(url, { xml: await this.xml() });
    this.say(data.message, !ok);
    this.showProblems(ok ? [] : data.problems);
    return { ok, data };
  }

  wire() {
    const on = (id, handler) => document.getElementById(id).addEventListener('click', handler);
    on('dmn-save', () => this.send(this.urls.draftUrl, '正在保存…'));
    on('dmn-validate', () => this.send(this.urls.validateUrl, '正在校验…'));
    on('dmn-preview', async () => {
      const { ok, data } = await this.send(this.urls.previewUrl, '正在按草稿计算全部项目…');
      this.showChanges(ok ? data.changes : []);
    });
    on('dmn-publish', async () => {
      if (window.confirm('发布后，年底评分将按此规则计算。确定发布吗？')) {
        await this.send(this.urls.publishUrl, '正在发布…');
      }
    });
  }
}

const root = document.getElementById('dmn-editor');
if (root) {
  const page = new DecisionPage(root);
  page.wire();
  page.load().catch(error => {
    root.dataset.state = 'failed';
    page.say(`无法打开决策表：${error.message}`, true);
  });
}
