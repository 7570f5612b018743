/**
 * The words of the device pages (`/device`), in the languages of the hosted
 * login (messages.ts picks the language; each has a translation here).
 */
export interface DeviceMessages {
  title: string;
  enterCode: string;
  code: string;
  submit: string;
  wrongCode: string;
  tooManyCodes: string;
  approvedTitle: string;
  approvedText: string;
  deniedTitle: string;
  deniedText: string;
  endedTitle: string;
  endedText: string;
}

const en: DeviceMessages = {
  title: 'Connect a device',
  enterCode: 'Enter the code shown on your device.',
  code: 'Code',
  submit: 'Continue',
  wrongCode: 'That code is not valid. Check the code on your device and try again.',
  tooManyCodes: 'Too many wrong codes. Try again in a few minutes.',
  approvedTitle: 'Device connected',
  approvedText: 'You may return to your device.',
  deniedTitle: 'Access denied',
  deniedText: 'The device was not given access. You may return to your device.',
  endedTitle: 'Request ended',
  endedText: 'This request has expired or was already answered. Start again on your device.',
};

const de: DeviceMessages = {
  title: 'Gerät verbinden',
  enterCode: 'Geben Sie den Code ein, den Ihr Gerät anzeigt.',
  code: 'Code',
  submit: 'Weiter',
  wrongCode: 'Dieser Code ist ungültig. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.',
  tooManyCodes: 'Zu viele falsche Codes. Bitte versuchen Sie es in einigen Minuten erneut.',
  approvedTitle: 'Gerät verbunden',
  approvedText: 'Sie können zu Ihrem Gerät zurückkehren.',
  deniedTitle: 'Zugriff verweigert',
  deniedText: 'Das Gerät hat keinen Zugriff erhalten. Sie können zu Ihrem Gerät zurückkehren.',
  endedTitle: 'Anfrage beendet',
  endedText: 'Diese Anfrage ist abgelaufen oder wurde bereits beantwortet. Beginnen Sie auf Ihrem Gerät neu.',
};

const fr: DeviceMessages = {
  title: 'Connecter un appareil',
  enterCode: 'Saisissez le code affiché sur votre appareil.',
  code: 'Code',
  submit: 'Continuer',
  wrongCode: "Ce code n'est pas valide. Vérifiez le code sur votre appareil et réessayez.",
  tooManyCodes: 'Trop de codes erronés. Réessayez dans quelques minutes.',
  approvedTitle: 'Appareil connecté',
  approvedText: 'Vous pouvez revenir à votre appareil.',
  deniedTitle: 'Accès refusé',
  deniedText: "L'appareil n'a pas reçu l'accès. Vous pouvez revenir à votre appareil.",
  endedTitle: 'Demande terminée',
  endedText: 'Cette demande a expiré ou a déjà reçu une réponse. Recommencez sur votre appareil.',
};

const TRANSLATIONS: Record<string, DeviceMessages> = { en, de, fr };

/** The device pages' words in `lang` (a language messages.ts `pageLanguage` chose). */
export const deviceMessagesFor = (lang: string): DeviceMessages => TRANSLATIONS[lang] ?? en;
