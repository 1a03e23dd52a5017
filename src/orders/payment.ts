// Payment is a port: orders ask a PaymentMethod what the member must do for the amount left after
// the club credit. The bank-transfer adapter is the only one today; a card provider would be another
// adapter (its own routes for the provider's return and webhook) calling markPaid on success.
import type { Config } from '../config.ts';
import { formatEuros } from '../core/money.ts';

export interface PaymentInstructions {
  /** French text for the confirmation page and e-mail. */
  text: string;
  /** Fields shown as a table on the order page. */
  details: { label: string; value: string }[];
}

export interface PaymentMethod {
  /** Stored on the order. */
  key: string;
  label: string;
  /** What the member must do to pay `dueCents` for the order `reference`. */
  instructions(reference: string, dueCents: number): PaymentInstructions;
}

export function bankTransfer(config: Config): PaymentMethod {
  const { iban, bic, holder } = config.shop.bank;
  return {
    key: 'BANK_TRANSFER',
    label: 'Virement bancaire',
    instructions: (reference, dueCents) => ({
      text: [
        `Montant à virer : ${formatEuros(dueCents)}`,
        `Titulaire du compte : ${holder}`,
        `IBAN : ${iban}`,
        `BIC : ${bic}`,
        `Référence à indiquer : ${reference}`,
        `Sans paiement sous ${config.shop.unpaidCancelDays} jours, la commande est annulée automatiquement.`,
      ].join('\n'),
      details: [
        { label: 'Montant', value: formatEuros(dueCents) },
        { label: 'Titulaire', value: holder },
        { label: 'IBAN', value: iban },
        { label: 'BIC', value: bic },
        { label: 'Référence', value: reference },
      ],
    }),
  };
}

/** The methods offered at checkout, by key. */
export function paymentMethods(config: Config): Record<string, PaymentMethod> {
  const bt = bankTransfer(config);
  return { [bt.key]: bt };
}
