// The JSON requests of the process and the decision editors (web/editor.py, web/decisions.py): the CSRF token
// from the page's <meta name="csrf-token">, the session's cookie, and every failure turned into a Chinese message.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

// POSTs body as JSON; resolves to { ok, status, data } where data.message is always something to show.
// expiredMessage: what to say when the page's CSRF token has expired (HTTP 400 with a page, not JSON).
export async function postJSON(url, body, expiredMessage = '页面已过期：请刷新页面后再试') {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body)
  });
  if (response.redirected && new URL(response.url).pathname === '/login') {
    return { ok: false, status: 401, data: { message: '登录已过期：请在新的浏览器标签页中登录后再试（本页的修改仍在）' } };
  }
  try {
    return { ok: response.ok, status: response.status, data: await response.json() };
  } catch (error) {
    // CSRF refusals and proxies answer with a page, not JSON.
    const message = response.status === 400 ? expiredMessage : `服务器返回错误（${response.status}）`;
    return { ok: false, status: response.status, data: { message } };
  }
}
