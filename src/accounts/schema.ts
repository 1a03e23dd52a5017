// Form schemas for accounts, built from shared field schemas; messages are in French.
import { z } from 'zod';
import { isCommonPassword } from './password.ts';
import { checkbox, countryField, formText } from '../core/fields.ts';
import { COUNTRIES } from '../core/display.ts';

// The list lives in core (the views show a stored code by its name); the forms take it from here.
export { COUNTRIES };

const text = (label: string, max: number) =>
  formText(label)
    .trim()
    .min(1, `${label} : champ obligatoire.`)
    .max(max, `${label} : ${max} caractères au maximum.`);

export const EmailSchema = formText('Adresse électronique')
  .trim()
  .toLowerCase()
  .min(1, 'Adresse électronique : champ obligatoire.')
  .max(254, 'Adresse électronique trop longue.')
  .pipe(z.email('Adresse électronique invalide (exemple : prenom.nom@exemple.fr).'));

export const PasswordSchema = formText('Mot de passe')
  .min(12, 'Le mot de passe doit contenir au moins 12 caractères.')
  .max(200, 'Le mot de passe doit contenir au plus 200 caractères.')
  .refine((p) => !isCommonPassword(p), 'Ce mot de passe fait partie des plus courants (mot du dictionnaire, prénom, nom du club, avec ou sans chiffres) : choisissez-en un autre, par exemple une phrase de plusieurs mots.');

const PhoneSchema = formText('Téléphone')
  .trim()
  .transform((v) => v.replace(/[\s.-]/g, ''))
  .refine((v) => v === '' || /^(?:\+\d{8,15}|0[1-9]\d{8})$/.test(v), 'Numéro de téléphone invalide (exemple : 06 12 34 56 78).')
  .optional()
  .transform((v) => (v ? v : null));

export const ContactSchema = z
  .object({
    firstName: text('Prénom', 100),
    lastName: text('Nom', 100),
    addressLine1: text('Adresse', 200),
    addressLine2: formText('Complément d’adresse').trim().max(200, 'Complément d’adresse : 200 caractères au maximum.').optional().transform((v) => v || null),
    postcode: formText('Code postal').trim().min(1, 'Code postal : champ obligatoire.'),
    city: text('Ville', 100),
    country: countryField(),
    phone: PhoneSchema,
  })
  .superRefine((v, ctx) => {
    const fiveDigits = v.country === 'FR' || v.country === 'MC';
    const ok = fiveDigits ? /^\d{5}$/.test(v.postcode) && !/^00/.test(v.postcode) : /^\d{4}$/.test(v.postcode);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['postcode'],
        message: fiveDigits ? 'Code postal invalide : 5 chiffres (exemple : 75011).' : 'Code postal invalide : 4 chiffres.',
      });
    }
  });

export const RegisterSchema = z
  .object({
    email: EmailSchema,
    password: PasswordSchema,
    newsletter: checkbox('Lettre d’information'),
    acceptTerms: checkbox('Conditions d’utilisation').refine((v) => v, 'Vous devez accepter les conditions et la politique de confidentialité.'),
  })
  .and(ContactSchema);

const required = (label: string, message: string) => formText(label, message).min(1, message);

export const LoginSchema = z.object({
  email: EmailSchema,
  password: required('Mot de passe', 'Mot de passe : champ obligatoire.').max(200, 'Mot de passe : 200 caractères au maximum.'),
});

export const ForgotSchema = z.object({ email: EmailSchema });

export const ResetSchema = z
  .object({
    token: formText('Lien', 'Lien incomplet : ouvrez le lien reçu par courriel.').min(10, 'Lien incomplet : ouvrez le lien reçu par courriel.').max(200, 'Lien invalide.'),
    password: PasswordSchema,
    passwordConfirm: required('Confirmation du mot de passe', 'Confirmez le mot de passe.'),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'Les deux mots de passe ne sont pas identiques.' });

export const ChangeEmailSchema = z.object({
  email: EmailSchema,
  currentPassword: required('Mot de passe actuel', 'Saisissez votre mot de passe actuel.'),
});

export const ChangePasswordSchema = z
  .object({
    currentPassword: required('Mot de passe actuel', 'Saisissez votre mot de passe actuel.'),
    password: PasswordSchema,
    passwordConfirm: required('Confirmation du mot de passe', 'Confirmez le nouveau mot de passe.'),
  })
  .refine((v) => v.password === v.passwordConfirm, { path: ['passwordConfirm'], message: 'Les deux mots de passe ne sont pas identiques.' });

export const DeleteSchema = z.object({
  currentPassword: required('Mot de passe', 'Saisissez votre mot de passe pour confirmer.'),
  confirmForfeit: checkbox('Renonciation au crédit'),
});

