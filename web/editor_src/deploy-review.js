// What 部署为新版本 would change against the deployed version: elements added, removed and changed (a semantic
// diff by bpmn-js-differ, pictures' moves left out) and the unfinished instances that stay on their version.
import { diff } from 'bpmn-js-differ';

// Diagram-only objects (shapes, edges, labels) and the document's root are not process elements.
function isProcessElement(element) {
  return element && element.$type && element.$type.startsWith('bpmn:') && element.$type !== 'bpmn:Definitions';
}

function describe(element, translate) {
  const kind = translate(element.$type.replace('bpmn:', '').replace(/([a-z])([A-Z])/g, '$1 $2'));
  return element.name ? `${kind}“${element.name}”（${element.id}）` : `${kind}（${element.id}）`;
}

function listed(entries, translate) {
  return Object.values(entries).map(entry => entry.model || entry).filter(isProcessElement)
    .map(element => describe(element, translate));
}

export async function changesAgainst(moddle, deployedXML, newXML, translate) {
  const [{ rootElement: before }, { rootElement: after }] = await Promise.all(
    [moddle.fromXML(deployedXML), moddle.fromXML(newXML)]);
  const changes = diff(before, after);
  return {
    added: listed(changes._added, translate),
    removed: listed(changes._removed, translate),
    changed: listed(changes._changed, translate)
  };
}

function section(title, items) {
  const block = document.createElement('div');
  const heading = document.createElement('h3');
  heading.textContent = `${title}（${items.length}）`;
  const list = document.createElement('ul');
  list.className = 'review-list';
  list.replaceChildren(...items.map(text => {
    const item = document.createElement('li');
    item.textContent = text;
    return item;
  }));
  block.append(heading, items.length ? list : Object.assign(document.createElement('p'), { textContent: '无' }));
  return block;
}

// Fills the confirmation dialog and resolves true when 确认部署 is chosen, false on 取消 or Esc.
export function confirmDeployment(dialog, review) {
  const body = dialog.querySelector('.review-body');
  const intro = document.createElement('p');
  if (review.version === null) {
    intro.textContent = '这是该流程的第一次部署，将成为第 1 版。';
    body.replaceChildren(intro);
  } else {
    intro.textContent = `与已部署的第 ${review.version} 版相比，新的第 ${review.version + 1} 版：`;
    const staying = document.createElement('p');
    staying.className = 'review-staying';
    staying.textContent = review.unfinished
      ? `正在办理的 ${review.unfinished} 个流程实例仍按原版本运行（${review.byVersion.map(v => `第 ${v.version} 版 ${v.unfinished} 个`).join('、')}），可在流程列表中迁移到新版本。`
      : '目前没有正在办理的流程实例；部署后新发起的流程使用新版本。';
    body.replaceChildren(intro, section('新增元素', review.added), section('删除元素', review.removed),
      section('修改元素', review.changed), staying);
  }
  return new Promise(resolve => {
    const done = answer => {
      dialog.close();
      resolve(answer);
    };
    dialog.querySelector('.review-confirm').onclick = () => done(true);
    dialog.querySelector('.review-cancel').onclick = () => done(false);
    dialog.oncancel = () => resolve(false);
    dialog.showModal();
  });
}
