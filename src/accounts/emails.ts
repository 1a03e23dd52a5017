// The texts of account e-mails (French); they leave through the mail outbox.
import type { Deps } from '../deps.ts';
import { SIGNATURE as sign } from '../mail/outbox.ts';

export const mails = {
  confirm: (deps: Deps, firstName: string, token: string) => ({
    subject: 'Confirmez votre adresse électronique',
    text:
      `Bonjour ${firstName},\n\nPour confirmer votre adresse et activer votre compte, ouvrez ce lien (valable 24 heures) :\n` +
      `${deps.config.publicUrl}/inscription/confirmer?jeton=${token}\n\nSi vous n’êtes pas à l’origine de cette demande, ignorez ce message.${sign}`,
  }),
  confirmNewAddress: (deps: Deps, firstName: string, token: string) => ({
    subject: 'Confirmez votre nouvelle adresse électronique',
    text:
      `Bonjour ${firstName},\n\nVous avez demandé à utiliser cette adresse pour votre compte du club. Pour la confirmer, ouvrez ce lien (valable 24 heures) :\n` +
      `${deps.config.publicUrl}/inscription/confirmer?jeton=${token}\n\nTant que vous ne l’avez pas ouvert, votre compte garde son ancienne adresse. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message.${sign}`,
  }),
  /** To the holder of an address another member asked to take: says nothing of who asked. */
  addressClaimed: (deps: Deps) => ({
    subject: 'Demande d’utilisation de votre adresse',
    text:
      `Bonjour,\n\nQuelqu’un a demandé à utiliser cette adresse pour un autre compte du club. Elle reste celle de votre compte, qui n’a pas changé.\n` +
      `Si vous avez oublié votre mot de passe : ${deps.config.publicUrl}/mot-de-passe-oublie\n\nSinon, ignorez ce message.${sign}`,
  }),
  alreadyRegistered: (deps: Deps) => ({
    subject: 'Tentative d’inscription avec votre adresse',
    text:
      `Bonjour,\n\nQuelqu’un (peut-être vous) a voulu créer un compte avec cette adresse, qui a déjà un compte au club.\n` +
      `Si vous avez oublié votre mot de passe : ${deps.config.publicUrl}/mot-de-passe-oublie\n\nSinon, ignorez ce message.${sign}`,
  }),
  reset: (deps: Deps, token: string) => ({
    subject: 'Réinitialisation de votre mot de passe',
    text:
      `Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure, une seule fois) :\n` +
      `${deps.config.publicUrl}/mot-de-passe/reinitialiser?jeton=${token}\n\nSi vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.${sign}`,
  }),
  passwordChanged: () => ({
    subject: 'Votre mot de passe a été modifié',
    text: `Bonjour,\n\nLe mot de passe de votre compte vient d’être modifié et vos autres sessions ont été fermées.\nSi vous n’êtes pas à l’origine de ce changement, utilisez « Mot de passe oublié » sans attendre.${sign}`,
  }),
  emailChanged: (deps: Deps) => ({
    subject: 'L’adresse de votre compte a été changée',
    text: `Bonjour,\n\nL’adresse électronique de votre compte vient d’être remplacée ; les prochains messages du club iront à la nouvelle adresse.\nSi vous n’êtes pas à l’origine de ce changement, écrivez-nous sans attendre à ${deps.config.privacyEmail}.${sign}`,
  }),
  inactivityWarning: (deps: Deps, firstName: string, months: number) => ({
    subject: 'Votre compte va être supprimé',
    text:
      `Bonjour ${firstName},\n\nVous ne vous êtes pas connecté depuis longtemps. Sans connexion de votre part, votre compte sera ` +
      `supprimé à ${months} mois d’inactivité, avec toutes vos données personnelles.\nPour le garder, connectez-vous : ${deps.config.publicUrl}/connexion${sign}`,
  }),
};
