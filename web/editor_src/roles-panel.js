// 角色对应 under the modeler (templates/editor/_roles.html): saves each lane or group name's unit or group with
// a POST to the panel's data-save-url, which maps as /roles does. The panel is server-rendered; after a save or a
// deployment the page fetches it again (refresh), so names, states and 待分派 marks are the server's.

function rows(panel) {
  return Array.from(panel.querySelectorAll('tr[data-role-name]'));
}

function showErrors(panel, errors) {
  rows(panel).forEach(row => {
    const error = row.querySelector('.field-error');
    const message = errors[row.dataset.roleName];
    error.textContent = message || '';
    error.hidden = !message;
    row.classList.toggle('has-error', !!message);
  });
}

async function save(panel, send, refresh) {
  const mapping = Object.fromEntries(rows(panel).map(row => [row.dataset.roleName, row.querySelector('input').value.trim()]));
  const { ok, data } = await send(panel.dataset.saveUrl, mapping);
  if (ok) {
    await refresh();
  }
  const fresh = document.getElementById('editor-roles');  // the refreshed panel, or the same one
  showErrors(fresh, data.errors || {});
  const status = fresh.querySelector('#editor-roles-status');
  status.textContent = data.message;
  status.className = `editor-status ${ok ? 'success' : 'error'}`;
}

// One listener on the document: the panel itself is replaced whenever it is fetched again.
export function bindRolesPanel(send, refresh) {
  document.addEventListener('click', async event => {
    const button = event.target.closest('#editor-roles-save');
    if (!button) {
      return;
    }
    button.disabled = true;
    try {
      await save(document.getElementById('editor-roles'), send, refresh);
    } finally {
      button.disabled = false;
    }
  });
}
