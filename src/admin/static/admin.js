/*
 * Volt admin behaviours. Plain browser JS, loaded with <script src defer>, no dependencies.
 * Everything here is progressive enhancement: each page works without it, and each part
 * runs only when its markup is present. DOM is built with createElement/textContent only.
 */
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: a classic script (not a module), so strict mode is opt-in
  'use strict';

  const root = document.documentElement;
  root.classList.add('js');

  const all = (selector, scope = document) => Array.from(scope.querySelectorAll(selector));

  /** Creates an element with attributes and optional text. */
  const make = (tag, attributes = {}, text) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // ---- 1. Row selection: select-all, counter, shift-click ranges ----
  function initSelection(table) {
    const rows = all('input.select-row', table);
    if (rows.length === 0) return;
    const master = table.querySelector('input.select-all');
    const counter = (table.closest('form') || document).querySelector('.selection-count');
    let last = -1;

    const update = () => {
      let count = 0;
      for (const box of rows) {
        if (box.checked) count++;
        box.closest('tr')?.classList.toggle('is-selected', box.checked);
      }
      if (master) {
        master.checked = count === rows.length;
        master.indeterminate = count > 0 && count < rows.length;
      }
      if (counter) counter.textContent = `${count} of ${rows.length} selected`;
    };

    master?.addEventListener('change', () => {
      for (const box of rows) box.checked = master.checked;
      last = -1;
      update();
    });
    rows.forEach((box, index) => {
      box.addEventListener('click', (event) => {
        if (event.shiftKey && last >= 0 && last !== index) {
          const [from, to] = last < index ? [last, index] : [index, last];
          for (let i = from; i <= to; i++) rows[i].checked = box.checked;
        }
        last = index;
        update();
      });
    });
    // The browser may restore checkbox state on back/forward navigation.
    window.addEventListener('pageshow', update);
    update();
  }

  // ---- 2. Unsaved-changes warning on model forms ----
  function initDirtyForm(form) {
    let dirty = false;
    let submitting = false;
    const mark = (event) => {
      if (event.target.name) dirty = true;
    };
    form.addEventListener('input', mark);
    form.addEventListener('change', mark);
    form.addEventListener('submit', () => {
      submitting = true;
    });
    window.addEventListener('pageshow', () => {
      submitting = false;
    });
    window.addEventListener('beforeunload', (event) => {
      if (!dirty || submitting) return;
      event.preventDefault();
      event.returnValue = '';
    });
  }

  // ---- 3. Autocomplete: WAI-ARIA 1.2 editable combobox with list autocomplete ----
  let autocompleteCount = 0;

  function initAutocomplete(box) {
    const key = box.querySelector('input.autocomplete__key');
    const url = box.dataset.autocompleteUrl;
    if (!key || !url || !window.fetch) return;
    const endpoint = new URL(url, window.location.href);
    if (endpoint.origin !== window.location.origin) return;

    const multiple = box.dataset.multiple === 'true';
    const id = key.id || `autocomplete-${++autocompleteCount}`;
    const current = box.querySelector('.autocomplete__current');
    const label = document.querySelector(`label[for="${CSS.escape(id)}"]`);
    const labels = new Map(all('data.autocomplete__choice', box).map((d) => [d.value, d.textContent.trim()]));
    let keys = key.value
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean);
    if (!multiple && keys.length === 1 && !labels.has(keys[0]) && current?.textContent.trim()) {
      labels.set(keys[0], current.textContent.trim());
    }

    // The visible textbox takes over the key input's id, so <label for> names it.
    const input = make('input', {
      type: 'text',
      id,
      class: 'autocomplete__input',
      role: 'combobox',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-autocomplete': 'list',
      'aria-expanded': 'false',
      'aria-controls': `${id}-listbox`,
    });
    for (const name of ['aria-describedby', 'aria-invalid', 'aria-required', 'disabled']) {
      if (key.hasAttribute(name)) input.setAttribute(name, key.getAttribute(name));
    }
    // A multiple choice's textbox is empty once chosen, so it is only marked as required.
    if (key.required) input.setAttribute(multiple ? 'aria-required' : 'required', 'true');
    const popup = make('div', { class: 'autocomplete__popup' });
    const list = make('ul', { id: `${id}-listbox`, class: 'autocomplete__listbox', role: 'listbox' });
    const more = make('p', { class: 'autocomplete__more' }, 'More results: keep typing to narrow the list');
    popup.hidden = true;
    popup.append(list, more);
    if (label) {
      label.id ||= `${id}-label`;
      list.setAttribute('aria-labelledby', label.id);
    } else list.setAttribute('aria-label', key.name);
    const status = make('span', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
    const chips = multiple ? make('div', { class: 'autocomplete__chips' }) : null;

    key.removeAttribute('id');
    key.removeAttribute('aria-describedby');
    key.removeAttribute('required');
    key.type = 'hidden';
    if (current) current.hidden = true;
    box.classList.add('is-enhanced');
    box.append(...(chips ? [chips] : []), input, popup, status);

    let results = [];
    let active = -1;
    let timer = 0;
    let request = null;

    const announce = (text) => {
      status.textContent = text;
    };
    const currentLabel = () => (keys.length ? labels.get(keys[0]) || keys[0] : '');

    const commit = () => {
      key.value = keys.join(',');
      key.dispatchEvent(new Event('change', { bubbles: true }));
    };

    const renderChips = () => {
      if (!chips) return;
      chips.replaceChildren(
        ...keys.map((value) => {
          const text = labels.get(value) || value;
          const chip = make('button', { type: 'button', class: 'chip' }, `${text} `);
          chip.append(
            make('span', { 'aria-hidden': 'true' }, '×'),
            make('span', { class: 'visually-hidden' }, 'remove'),
          );
          chip.addEventListener('click', () => {
            keys = keys.filter((k) => k !== value);
            renderChips();
            commit();
            announce(`${text} removed`);
            input.focus();
          });
          return chip;
        }),
      );
    };

    const setActive = (index) => {
      const options = all('[role="option"]', list);
      active = index;
      options.forEach((option, i) => {
        option.setAttribute('aria-selected', String(i === index));
      });
      if (index >= 0 && options[index]) {
        input.setAttribute('aria-activedescendant', options[index].id);
        options[index].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    };

    const open = () => {
      if (results.length === 0) return;
      popup.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    };
    const close = () => {
      popup.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      setActive(-1);
    };

    const render = (items, hasMore) => {
      results = multiple ? items.filter((item) => !keys.includes(item.id)) : items;
      list.replaceChildren(
        ...results.map((item, i) =>
          make('li', { id: `${id}-option-${i}`, role: 'option', 'aria-selected': 'false' }, item.text),
        ),
      );
      more.hidden = !hasMore;
      setActive(-1);
      if (results.length) open();
      else close();
      const count = results.length === 1 ? '1 result' : `${results.length} results`;
      announce(results.length ? `${count}${hasMore ? ', more available' : ''}` : 'No results');
    };

    const search = async (term) => {
      request?.abort();
      request = new AbortController();
      endpoint.searchParams.set('term', term);
      try {
        const response = await fetch(endpoint, {
          credentials: 'same-origin',
          headers: { accept: 'application/json' },
          signal: request.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        const items = Array.isArray(data?.results) ? data.results : [];
        render(
          items.map((item) => ({ id: String(item.id), text: String(item.text) })),
          Boolean(data.more),
        );
      } catch (error) {
        if (error.name === 'AbortError') return;
        results = [];
        close();
        announce('Search failed');
      }
    };

    const choose = (index) => {
      const item = results[index];
      if (!item) return;
      labels.set(item.id, item.text);
      if (multiple) {
        if (!keys.includes(item.id)) keys.push(item.id);
        input.value = '';
        renderChips();
        announce(`${item.text} added`);
      } else {
        keys = [item.id];
        input.value = item.text;
      }
      results = [];
      close();
      commit();
    };

    input.value = multiple ? '' : currentLabel();
    renderChips();

    input.addEventListener('input', () => {
      window.clearTimeout(timer);
      const term = input.value.trim();
      if (!term) {
        request?.abort();
        results = [];
        close();
        if (!multiple && keys.length) {
          keys = [];
          commit();
        }
        return;
      }
      timer = window.setTimeout(() => search(term), 200);
    });

    input.addEventListener('keydown', (event) => {
      const expanded = !popup.hidden;
      const count = results.length;
      switch (event.key) {
        case 'ArrowDown':
          event.preventDefault();
          if (!expanded) {
            open();
            if (!count && input.value.trim()) search(input.value.trim());
            if (!event.altKey && count) setActive(0);
          } else setActive(active < count - 1 ? active + 1 : 0);
          break;
        case 'ArrowUp':
          event.preventDefault();
          if (event.altKey) close();
          else if (!expanded) {
            open();
            if (count) setActive(count - 1);
          } else setActive(active > 0 ? active - 1 : count - 1);
          break;
        case 'Enter':
          if (expanded) {
            event.preventDefault();
            if (active >= 0) choose(active);
            else close();
          }
          break;
        case 'Escape':
          if (expanded) {
            event.preventDefault();
            close();
          } else if (!multiple && input.value !== currentLabel()) {
            event.preventDefault();
            input.value = currentLabel();
          }
          break;
        case 'Home':
        case 'End':
          // Visual focus returns to the textbox; the caret moves as usual.
          if (active >= 0) setActive(-1);
          break;
        case 'Backspace':
          if (multiple && !input.value && keys.length) {
            const removed = labels.get(keys.at(-1)) || keys.at(-1);
            keys = keys.slice(0, -1);
            renderChips();
            commit();
            announce(`${removed} removed`);
          }
          break;
        case 'Tab':
          if (expanded && active >= 0) choose(active);
          else close();
          break;
      }
    });

    input.addEventListener('blur', () => {
      window.clearTimeout(timer);
      results = [];
      close();
      // A single choice shows its label; unfinished text is dropped.
      if (!multiple) input.value = currentLabel();
      else input.value = '';
    });

    // Keep focus in the textbox while the mouse picks an option.
    popup.addEventListener('mousedown', (event) => event.preventDefault());
    list.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) choose(all('[role="option"]', list).indexOf(option));
    });
  }

  // ---- 4. Theme toggle: apply at once, save in the background ----
  const NEXT_THEME = {
    auto: { value: 'dark', text: 'Dark mode', label: 'Switch to dark mode' },
    dark: { value: 'light', text: 'Light mode', label: 'Switch to light mode' },
    light: { value: 'auto', text: 'System theme', label: 'Follow the system theme' },
  };

  // On the system theme, the switch offers the other one: light when the system is dark.
  function nextOf(theme) {
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    return theme === 'auto' && dark ? NEXT_THEME.dark : NEXT_THEME[theme];
  }

  function showNext(button, next) {
    button.value = next.value;
    button.textContent = next.text;
    button.setAttribute('aria-label', next.label);
  }

  function initThemeToggle(form) {
    let bypass = false;
    const current = form.querySelector('.theme-toggle__button');
    if (current && (root.dataset.theme ?? 'auto') === 'auto') showNext(current, nextOf('auto'));
    form.addEventListener('submit', async (event) => {
      const button =
        event.submitter?.matches('.theme-toggle__button') && event.submitter.form === form
          ? event.submitter
          : form.querySelector('.theme-toggle__button');
      if (bypass || !button || !NEXT_THEME[button.value] || !window.fetch) return;
      event.preventDefault();
      const theme = button.value;
      root.dataset.theme = theme;
      // A submit button's name=value is only sent by a real submission, so it is added here.
      const data = new FormData(form);
      if (button.name) data.set(button.name, theme);
      showNext(button, nextOf(theme));
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          body: new URLSearchParams(data),
          credentials: 'same-origin',
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
      } catch {
        // Not saved: fall back to an ordinary submission, which shows the server's answer.
        button.value = theme;
        bypass = true;
        form.requestSubmit(button);
      }
    });
  }

  // ---- 5. Error summary: focus it, and let its links focus their fields ----
  function initErrorSummary(summary) {
    if (!summary.hasAttribute('tabindex')) summary.setAttribute('tabindex', '-1');
    summary.focus();
    summary.addEventListener('click', (event) => {
      const link = event.target.closest('a[href^="#"]');
      const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) return;
      event.preventDefault();
      const field = target.closest('.field') || target;
      field.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
      window.history.replaceState(null, '', link.hash);
    });
  }

  // ---- Start ----
  function start() {
    for (const table of all('table')) {
      if (table.querySelector('input.select-row')) initSelection(table);
    }
    all('form.model-form').forEach(initDirtyForm);
    all('.autocomplete[data-autocomplete-url]').forEach(initAutocomplete);
    all('form.theme-toggle').forEach(initThemeToggle);
    const summary = document.querySelector('.error-summary');
    if (summary) initErrorSummary(summary);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
