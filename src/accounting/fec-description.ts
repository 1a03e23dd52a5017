// The description file that goes with the FEC (the tax administration asks for it with the file).
export const FEC_DESCRIPTION = (siren: string): string => `Description du fichier des écritures comptables (FEC)
Article A47 A-1 du livre des procédures fiscales

Société : SIREN ${siren}
Nom du fichier : ${siren}FEC<AAAAMMJJ>.txt, AAAAMMJJ = date de clôture de l'exercice (31 décembre ; l'exercice est l'année civile).
Format : texte à plat, encodage UTF-8 sans BOM, séparateur tabulation, fin de ligne CR LF, première ligne d'en-tête.
Dates : AAAAMMJJ. Montants : virgule décimale, sans séparateur de milliers, deux décimales ; chaque ligne a un montant au débit ou au crédit, l'autre est 0,00.
Ordre : écritures dans l'ordre de validation ; EcritureNum est le numéro séquentiel, sans trou, attribué à la validation, unique dans le fichier.
Système : journal général du site du club (application web), écritures en lecture seule une fois validées (la base refuse toute modification ou suppression) ; les corrections sont des écritures d'extourne.

Champs (18, dans cet ordre) :
 1 JournalCode    code du journal : VE ventes, BQ banque, OD opérations diverses
 2 JournalLib     libellé du journal
 3 EcritureNum    numéro de l'écriture (séquentiel, attribué à la validation)
 4 EcritureDate   date comptable de l'écriture (jour de l'événement à Paris, ou premier jour de la période ouverte suivante si sa période était clôturée)
 5 CompteNum      numéro de compte (plan comptable général)
 6 CompteLib      libellé du compte ; pour 707 et 44571, une ligne par taux de TVA, le taux figure dans le libellé
 7 CompAuxNum     compte auxiliaire client : numéro de membre M000123 (seulement sur les comptes 411 et 4191)
 8 CompAuxLib     libellé du compte auxiliaire : « Membre M000123 » (pseudonyme, jamais un nom)
 9 PieceRef       référence de la pièce : numéro de facture, d'avoir, de commande ou de concours
10 PieceDate      date de la pièce (jour de l'événement à Paris)
11 EcritureLib    libellé de l'écriture (numéros de pièce et de membre seulement)
12 Debit          montant au débit
13 Credit         montant au crédit
14 EcritureLet    lettrage (non utilisé, vide)
15 DateLet        date de lettrage (vide)
16 ValidDate      date de validation de l'écriture
17 Montantdevise  montant en devise (vide : toutes les opérations sont en euros)
18 Idevise        code de la devise (vide)

Écritures :
- facture de commande (VE) : D 411 membre (reste à payer), D 7097 par taux (crédit offert utilisé, remise HT), C 707 par taux (marchandises HT), C 7085 (port HT), C 44571 par taux (TVA) ;
- paiement reçu (BQ) : D 512 / C 411 membre ;
- annulation ou remboursement après facture : avoir contrepassant la vente (VE), puis D 411 / C 512 ;
- lot de concours expédié (OD) : D 6234 / C 607 au coût unitaire.
`;
