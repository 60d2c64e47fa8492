import { useI18n } from '../i18n/I18nProvider';

export function LocaleSwitch() {
  const { t, locale, setLocale } = useI18n();
  return (
    <button
      type="button"
      className="link-button locale-switch"
      onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
    >
      {t('header.switchLocale')}
    </button>
  );
}
