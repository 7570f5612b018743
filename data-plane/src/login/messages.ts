/**
 * The words of the hosted pages, per language. A page is rendered in the
 * first of the end-user's `ui_locales` that the tenant offers
 * (`login.locales`) and that has a translation here, else in the first
 * offered one that has, else in English — so `lang` always tells the truth.
 */
export interface Messages {
  continueTo: string;
  username: string;
  password: string;
  keepSignedIn: string;
  signIn: string;
  wrongPassword: string;
  tooManyAttempts: string;
  allowTitle: (client: string) => string;
  signedInAs: string;
  wouldLike: string;
  permissions: string;
  aboutYou: string;
  required: string;
  seeThe: string;
  privacyPolicy: string;
  terms: string;
  and: string;
  remember: string;
  allow: string;
  deny: string;
  errorTitle: string;
  errorCode: string;
  errorAdvice: string;
  expired: string;
  forged: string;
  continuing: string;
  continue: string;
  signOutTitle: string;
  signOutQuestion: string;
  signOutAsked: (client: string) => string;
  signOutAll: string;
  signOutOnly: (client: string) => string;
  signingOut: string;
  signedOutTitle: string;
  signedOutText: string;
  signedOutOfApp: string;
  signOutErrorTitle: string;
  signOutExpired: string;
  scopes: Record<string, string>;
  claims: Record<string, string>;
}

const en: Messages = {
  continueTo: 'to continue to',
  username: 'Username',
  password: 'Password',
  keepSignedIn: 'Keep me signed in on this device',
  signIn: 'Sign in',
  wrongPassword: 'Incorrect username or password.',
  tooManyAttempts: 'Too many failed attempts for this username. Try again in a few minutes.',
  allowTitle: (client) => `Allow ${client}?`,
  signedInAs: 'Signed in as',
  wouldLike: 'would like to:',
  permissions: 'Permissions',
  aboutYou: 'Information about you',
  required: 'required',
  seeThe: "See the client's",
  privacyPolicy: 'privacy policy',
  terms: 'terms of service',
  and: 'and',
  remember: 'Remember this decision',
  allow: 'Allow',
  deny: 'Deny',
  errorTitle: 'Sign-in error',
  errorCode: 'Error code',
  errorAdvice: 'Return to the application you came from and try again.',
  expired: 'This sign-in request has expired or is not known. Return to the application and start again.',
  forged:
    'The form could not be verified (it may be stale or from another site). Return to the application and start again.',
  continuing: 'Continuing…',
  continue: 'Continue',
  signOutTitle: 'Sign out',
  signOutQuestion: 'Sign out of all applications?',
  signOutAsked: (client) => `${client} asked to sign you out.`,
  signOutAll: 'Sign out of all applications',
  signOutOnly: (client) => `Only from ${client}`,
  signingOut: 'Signing you out…',
  signedOutTitle: 'You are signed out',
  signedOutText: 'You can close this window.',
  signedOutOfApp: 'You are signed out of the application and stay signed in to the others.',
  signOutErrorTitle: 'Sign-out error',
  signOutExpired: 'This sign-out request has expired or is not known. Return to the application and sign out again.',
  scopes: {
    openid: 'Sign you in with your account',
    profile: 'See your basic profile (name, nickname, picture, locale)',
    email: 'See your email address',
    address: 'See your postal address',
    phone: 'See your phone number',
    offline_access: 'Keep access while you are not using it',
  },
  claims: {
    name: 'full name',
    given_name: 'given name',
    family_name: 'family name',
    middle_name: 'middle name',
    nickname: 'nickname',
    preferred_username: 'preferred username',
    profile: 'profile page',
    picture: 'picture',
    website: 'website',
    email: 'email address',
    email_verified: 'whether your email address is verified',
    gender: 'gender',
    birthdate: 'birthdate',
    zoneinfo: 'time zone',
    locale: 'locale',
    phone_number: 'phone number',
    phone_number_verified: 'whether your phone number is verified',
    address: 'postal address',
    updated_at: 'when your profile was last updated',
  },
};

const de: Messages = {
  continueTo: 'weiter zu',
  username: 'Benutzername',
  password: 'Passwort',
  keepSignedIn: 'Auf diesem Gerät angemeldet bleiben',
  signIn: 'Anmelden',
  wrongPassword: 'Benutzername oder Passwort ist falsch.',
  tooManyAttempts: 'Zu viele Fehlversuche für diesen Benutzernamen. Bitte versuchen Sie es in einigen Minuten erneut.',
  allowTitle: (client) => `${client} erlauben?`,
  signedInAs: 'Angemeldet als',
  wouldLike: 'möchte:',
  permissions: 'Berechtigungen',
  aboutYou: 'Angaben zu Ihrer Person',
  required: 'erforderlich',
  seeThe: 'Siehe',
  privacyPolicy: 'Datenschutzerklärung',
  terms: 'Nutzungsbedingungen',
  and: 'und',
  remember: 'Diese Entscheidung merken',
  allow: 'Erlauben',
  deny: 'Ablehnen',
  errorTitle: 'Anmeldefehler',
  errorCode: 'Fehlercode',
  errorAdvice: 'Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.',
  expired: 'Diese Anmeldeanfrage ist abgelaufen oder unbekannt. Kehren Sie zur Anwendung zurück und beginnen Sie neu.',
  forged:
    'Das Formular konnte nicht geprüft werden (veraltet oder von einer anderen Website). Kehren Sie zur Anwendung zurück und beginnen Sie neu.',
  continuing: 'Weiter…',
  continue: 'Weiter',
  signOutTitle: 'Abmelden',
  signOutQuestion: 'Von allen Anwendungen abmelden?',
  signOutAsked: (client) => `${client} möchte Sie abmelden.`,
  signOutAll: 'Von allen Anwendungen abmelden',
  signOutOnly: (client) => `Nur von ${client}`,
  signingOut: 'Sie werden abgemeldet…',
  signedOutTitle: 'Sie sind abgemeldet',
  signedOutText: 'Sie können dieses Fenster schließen.',
  signedOutOfApp: 'Sie sind von der Anwendung abgemeldet und bleiben bei den anderen angemeldet.',
  signOutErrorTitle: 'Abmeldefehler',
  signOutExpired:
    'Diese Abmeldeanfrage ist abgelaufen oder unbekannt. Kehren Sie zur Anwendung zurück und melden Sie sich erneut ab.',
  scopes: {
    openid: 'Sie mit Ihrem Konto anmelden',
    profile: 'Ihr Basisprofil sehen (Name, Spitzname, Bild, Sprache)',
    email: 'Ihre E-Mail-Adresse sehen',
    address: 'Ihre Postanschrift sehen',
    phone: 'Ihre Telefonnummer sehen',
    offline_access: 'Zugriff behalten, während Sie die Anwendung nicht nutzen',
  },
  claims: {
    name: 'vollständiger Name',
    given_name: 'Vorname',
    family_name: 'Nachname',
    middle_name: 'zweiter Vorname',
    nickname: 'Spitzname',
    preferred_username: 'bevorzugter Benutzername',
    profile: 'Profilseite',
    picture: 'Bild',
    website: 'Website',
    email: 'E-Mail-Adresse',
    email_verified: 'ob Ihre E-Mail-Adresse bestätigt ist',
    gender: 'Geschlecht',
    birthdate: 'Geburtsdatum',
    zoneinfo: 'Zeitzone',
    locale: 'Sprache',
    phone_number: 'Telefonnummer',
    phone_number_verified: 'ob Ihre Telefonnummer bestätigt ist',
    address: 'Postanschrift',
    updated_at: 'wann Ihr Profil zuletzt geändert wurde',
  },
};

const fr: Messages = {
  continueTo: 'pour continuer vers',
  username: "Nom d'utilisateur",
  password: 'Mot de passe',
  keepSignedIn: 'Rester connecté sur cet appareil',
  signIn: 'Se connecter',
  wrongPassword: "Nom d'utilisateur ou mot de passe incorrect.",
  tooManyAttempts: "Trop d'échecs pour ce nom d'utilisateur. Réessayez dans quelques minutes.",
  allowTitle: (client) => `Autoriser ${client} ?`,
  signedInAs: 'Connecté en tant que',
  wouldLike: 'souhaite :',
  permissions: 'Autorisations',
  aboutYou: 'Informations vous concernant',
  required: 'obligatoire',
  seeThe: 'Voir la',
  privacyPolicy: 'politique de confidentialité',
  terms: "les conditions d'utilisation",
  and: 'et',
  remember: 'Mémoriser cette décision',
  allow: 'Autoriser',
  deny: 'Refuser',
  errorTitle: 'Erreur de connexion',
  errorCode: "Code d'erreur",
  errorAdvice: "Revenez à l'application d'origine et réessayez.",
  expired: "Cette demande de connexion a expiré ou est inconnue. Revenez à l'application et recommencez.",
  forged:
    "Le formulaire n'a pas pu être vérifié (trop ancien ou venant d'un autre site). Revenez à l'application et recommencez.",
  continuing: 'Redirection…',
  continue: 'Continuer',
  signOutTitle: 'Déconnexion',
  signOutQuestion: 'Se déconnecter de toutes les applications ?',
  signOutAsked: (client) => `${client} demande à vous déconnecter.`,
  signOutAll: 'Se déconnecter de toutes les applications',
  signOutOnly: (client) => `Seulement de ${client}`,
  signingOut: 'Déconnexion en cours…',
  signedOutTitle: 'Vous êtes déconnecté',
  signedOutText: 'Vous pouvez fermer cette fenêtre.',
  signedOutOfApp: "Vous êtes déconnecté de l'application et restez connecté aux autres.",
  signOutErrorTitle: 'Erreur de déconnexion',
  signOutExpired:
    "Cette demande de déconnexion a expiré ou est inconnue. Revenez à l'application et déconnectez-vous à nouveau.",
  scopes: {
    openid: 'Vous connecter avec votre compte',
    profile: 'Voir votre profil de base (nom, pseudonyme, photo, langue)',
    email: 'Voir votre adresse e-mail',
    address: 'Voir votre adresse postale',
    phone: 'Voir votre numéro de téléphone',
    offline_access: "Garder l'accès lorsque vous n'utilisez pas l'application",
  },
  claims: {
    name: 'nom complet',
    given_name: 'prénom',
    family_name: 'nom de famille',
    middle_name: 'deuxième prénom',
    nickname: 'pseudonyme',
    preferred_username: "nom d'utilisateur préféré",
    profile: 'page de profil',
    picture: 'photo',
    website: 'site web',
    email: 'adresse e-mail',
    email_verified: 'si votre adresse e-mail est vérifiée',
    gender: 'genre',
    birthdate: 'date de naissance',
    zoneinfo: 'fuseau horaire',
    locale: 'langue',
    phone_number: 'numéro de téléphone',
    phone_number_verified: 'si votre numéro de téléphone est vérifié',
    address: 'adresse postale',
    updated_at: 'date de la dernière mise à jour de votre profil',
  },
};

const TRANSLATIONS: Record<string, Messages> = { en, de, fr };

export function messagesFor(lang: string): Messages {
  return TRANSLATIONS[lang] ?? en;
}

/** The page language: see the comment at the top. Region subtags match their language (`fr-CA` → `fr`). */
export function pageLanguage(offered: readonly string[], uiLocales: readonly string[] | undefined): string {
  const base = (tag: string) => tag.toLowerCase().split('-')[0]!;
  const usable = offered.map(base).filter((l) => TRANSLATIONS[l]);
  for (const wanted of uiLocales ?? []) if (usable.includes(base(wanted))) return base(wanted);
  return usable[0] ?? 'en';
}
