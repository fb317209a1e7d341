/** The acknowledge and shelve dialogs of the live alarm page (native <dialog>, keyboard-ready). */
import { post } from './api.js';
import { byId } from './dom.js';
import { clearErrors, showErrors } from './form-errors.js';

/** Opens `dialogId`, runs `submit(form)` on confirm; keeps the dialog open with the error on failure. */
export function runDialog(dialogId, alarm, submit, done) {
  const dialog = byId(dialogId);
  const form = dialog.querySelector('form');
  const errors = dialog.querySelector('.form-errors');
  form.reset();
  clearErrors(form, errors);
  for (const el of dialog.querySelectorAll('[data-slot="alarm-name"]')) el.textContent = alarm.rule_name;
  const confirm = form.querySelector('button[type="submit"]');
  confirm.disabled = false;

  const onSubmit = async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    try {
      await submit(form);
      dialog.close();
      done?.();
    } catch (err) {
      confirm.disabled = false;
      showErrors(form, errors, err);
    }
  };
  const onCancel = () => dialog.close();
  const cancel = form.querySelector('[data-action="cancel"]');
  form.addEventListener('submit', onSubmit);
  cancel.addEventListener('click', onCancel);
  dialog.addEventListener(
    'close',
    () => {
      form.removeEventListener('submit', onSubmit);
      cancel.removeEventListener('click', onCancel);
    },
    { once: true },
  );
  dialog.showModal();
  form.querySelector('textarea, select, input')?.focus();
}

export function openAckDialog(alarm, done) {
  runDialog(
    'ack-dialog',
    alarm,
    (form) => {
      const comment = form.elements.comment.value.trim();
      return post(`/api/alarms/${alarm.rule_id}/ack`, comment ? { comment } : {});
    },
    done,
  );
}

export function openShelveDialog(alarm, done) {
  runDialog(
    'shelve-dialog',
    alarm,
    (form) => {
      const comment = form.elements.comment.value.trim();
      const duration_ms = Number(form.elements.duration.value) * 60_000;
      return post(`/api/alarms/${alarm.rule_id}/shelve`, { duration_ms, ...(comment && { comment }) });
    },
    done,
  );
}
