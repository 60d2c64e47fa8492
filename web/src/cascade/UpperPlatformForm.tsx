import { type FormEvent, type ReactNode, useRef, useState } from 'react';
import type { UpperPlatform } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { CivilAreaMultiPicker } from '../users/CivilAreaPicker';
import {
  defaultDomain,
  effectiveDomain,
  emptyForm,
  type FormProblem,
  formFromUpper,
  toggleCode,
  type UpperForm,
  type UpperFormField,
  validateForm,
} from './upper-form';

interface Props {
  /** The upper being edited; null = a new one. */
  editing: UpperPlatform | null;
  onSaved: (upper: UpperPlatform, created: boolean) => void;
  onCancel: () => void;
}

/** New upper platform, or the whole configuration of one (PUT replaces it, password included). */
export function UpperPlatformForm({ editing, onSaved, onCancel }: Props) {
  const { t } = useI18n();
  const { client, areas } = useConsoleData();
  const [form, setForm] = useState<UpperForm>(() => (editing ? formFromUpper(editing) : emptyForm()));
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Names of the areas ticked in the tree (codes only come back from the platform). */
  const [areaNames, setAreaNames] = useState<ReadonlyMap<string, string>>(new Map());
  const formRef = useRef<HTMLFormElement>(null);

  const set = <K extends keyof UpperForm>(key: K, value: UpperForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A corrected field stops being marked.
    setProblems((p) => p.filter((problem) => problem.field !== key));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setServerError(null);
    const checked = validateForm(form, editing);
    if (!checked.ok) {
      setProblems(checked.problems);
      return;
    }
    setProblems([]);
    setBusy(true);
    const result = editing
      ? await client.updateUpperPlatform(editing.id, checked.body)
      : await client.createUpperPlatform(checked.body);
    setBusy(false);
    if (!result.ok) {
      const { error } = result;
      setServerError(
        error.kind === 'server' && error.status === 409
          ? t('cascade.form.taken', { message: error.message })
          : error.kind === 'not-found'
            ? t('cascade.form.gone')
            : error.kind === 'forbidden'
              ? t('cascade.forbidden')
              : describeApiError(error, t),
      );
      return;
    }
    if (!editing) {
      setForm(emptyForm());
      formRef.current?.scrollTo({ top: 0 });
    }
    onSaved(result.value, editing === null);
  };

  const problemsOf = (field: UpperFormField) => problems.filter((p) => p.field === field);
  /** A labelled input (its id is `upper-<field>`), with a hint and what is wrong with it. */
  const field = (name: UpperFormField, label: string, input: ReactNode, hint?: string) => (
    <div className={problemsOf(name).length > 0 ? 'field invalid' : 'field'}>
      <label htmlFor={`upper-${name}`}>{label}</label>
      {input}
      {hint && <span className="muted small">{hint}</span>}
      {problemsOf(name).map((p) => (
        <span key={p.message} className="field-error" role="alert">
          {t(p.message, p.params)}
        </span>
      ))}
    </div>
  );
  const invalid = (name: UpperFormField) => problemsOf(name).length > 0 || undefined;
  const title = editing ? t('cascade.form.edit', { name: editing.name }) : t('cascade.form.create');

  return (
    <form
      ref={formRef}
      className="user-form upper-form"
      noValidate
      onSubmit={(event) => void submit(event)}
      aria-label={title}
    >
      <h3>{title}</h3>
      {field(
        'name',
        t('cascade.form.name'),
        <input
          id="upper-name"
          name="upper-name"
          autoComplete="off"
          maxLength={128}
          aria-invalid={invalid('name')}
          value={form.name}
          onChange={(e) => set('name', e.target.value)}
        />,
      )}
      {field(
        'sipId',
        t('cascade.form.sipId'),
        <input
          id="upper-sipId"
          name="upper-sip-id"
          autoComplete="off"
          inputMode="numeric"
          maxLength={20}
          aria-invalid={invalid('sipId')}
          value={form.sipId}
          onChange={(e) => set('sipId', e.target.value)}
        />,
      )}
      {field(
        'domain',
        t('cascade.form.domain'),
        <input
          id="upper-domain"
          name="upper-domain"
          autoComplete="off"
          maxLength={128}
          aria-invalid={invalid('domain')}
          placeholder={defaultDomain(form.sipId)}
          value={effectiveDomain(form)}
          onChange={(e) => {
            set('domain', e.target.value);
            set('domainEdited', e.target.value !== '');
          }}
        />,
      )}
      <div className="form-row">
        {field(
          'host',
          t('cascade.form.host'),
          <input
            id="upper-host"
            name="upper-host"
            autoComplete="off"
            maxLength={255}
            aria-invalid={invalid('host')}
            value={form.host}
            onChange={(e) => set('host', e.target.value)}
          />,
        )}
        {field(
          'port',
          t('cascade.form.port'),
          <input
            id="upper-port"
            name="upper-port"
            inputMode="numeric"
            className="narrow"
            aria-invalid={invalid('port')}
            value={form.port}
            onChange={(e) => set('port', e.target.value)}
          />,
        )}
        <div className="field">
          <label htmlFor="upper-transport">{t('cascade.form.transport')}</label>
          <select
            id="upper-transport"
            name="upper-transport"
            value={form.transport}
            onChange={(e) => set('transport', e.target.value === 'tcp' ? 'tcp' : 'udp')}
          >
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
          </select>
        </div>
      </div>
      {field(
        'localId',
        t('cascade.form.localId'),
        <input
          id="upper-localId"
          name="upper-local-id"
          autoComplete="off"
          inputMode="numeric"
          maxLength={20}
          aria-invalid={invalid('localId')}
          value={form.localId}
          onChange={(e) => set('localId', e.target.value)}
        />,
      )}
      {field(
        'password',
        t('cascade.form.password'),
        <input
          id="upper-password"
          name="upper-password"
          type="password"
          autoComplete="new-password"
          maxLength={256}
          disabled={form.noPassword}
          aria-invalid={invalid('password')}
          value={form.password}
          onChange={(e) => set('password', e.target.value)}
        />,
        editing ? t('cascade.form.passwordEditHint') : undefined,
      )}
      <label className="check">
        <input
          type="checkbox"
          name="upper-no-password"
          checked={form.noPassword}
          onChange={(e) => {
            set('noPassword', e.target.checked);
            setProblems((p) => p.filter((problem) => problem.field !== 'password'));
          }}
        />
        <span>{t('cascade.form.noPassword')}</span>
      </label>
      <div className="form-row">
        {field(
          'keepaliveIntervalSec',
          t('cascade.form.keepalive'),
          <input
            id="upper-keepaliveIntervalSec"
            name="upper-keepalive"
            inputMode="numeric"
            className="narrow"
            aria-invalid={invalid('keepaliveIntervalSec')}
            value={form.keepaliveIntervalSec}
            onChange={(e) => set('keepaliveIntervalSec', e.target.value)}
          />,
        )}
        <label className="check">
          <input
            type="checkbox"
            name="upper-enabled"
            checked={form.enabled}
            onChange={(e) => set('enabled', e.target.checked)}
          />
          <span>{t('cascade.form.enabled')}</span>
        </label>
      </div>
      <fieldset className="area-field">
        <legend>{t('cascade.form.areas')}</legend>
        {form.shareCivilCodes.length === 0 ? (
          <p className="muted small">{t('cascade.form.noAreas')}</p>
        ) : (
          <ul className="area-chips">
            {form.shareCivilCodes.map((code) => {
              const name = areaNames.get(code) ?? areas.nameOf(code, code);
              return (
                <li key={code} className="area-chip">
                  {name} <span className="tree-code">{code}</span>
                  <button
                    type="button"
                    className="link-button"
                    aria-label={t('cascade.form.removeArea', { name })}
                    onClick={() => set('shareCivilCodes', toggleCode(form.shareCivilCodes, code))}
                  >
                    ×
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <div className="area-tree">
          <CivilAreaMultiPicker
            selected={form.shareCivilCodes}
            onToggle={(node) => {
              setAreaNames((names) => new Map(names).set(node.code, node.name));
              set('shareCivilCodes', toggleCode(form.shareCivilCodes, node.code));
            }}
          />
        </div>
      </fieldset>
      {field(
        'deviceIds',
        t('cascade.form.deviceIds'),
        <textarea
          id="upper-deviceIds"
          name="upper-device-ids"
          rows={2}
          aria-invalid={invalid('deviceIds')}
          value={form.deviceIds}
          onChange={(e) => set('deviceIds', e.target.value)}
        />,
      )}
      {field(
        'channelIds',
        t('cascade.form.channelIds'),
        <textarea
          id="upper-channelIds"
          name="upper-channel-ids"
          rows={2}
          aria-invalid={invalid('channelIds')}
          value={form.channelIds}
          onChange={(e) => set('channelIds', e.target.value)}
        />,
      )}
      {problems.length > 0 && (
        <p className="notice notice-error" role="alert">
          {t('cascade.invalid.summary')}
        </p>
      )}
      {serverError && (
        <p className="notice notice-error server-error" role="alert">
          {serverError}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? t('cascade.form.submitEdit') : t('cascade.form.submitCreate')}
        </button>
        {editing && (
          <button type="button" onClick={onCancel}>
            {t('cascade.form.cancelEdit')}
          </button>
        )}
      </div>
    </form>
  );
}
