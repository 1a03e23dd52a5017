// The shop's catalogue: categories, products and their images. No personal data.
import type { DomainModule } from '../core/module.ts';

const O = 'operational' as const;

export const shopModule: DomainModule = {
  name: 'shop',
  classification: {
    Category: { onErase: 'keep', fields: { id: O, slug: O, name: O, description: O, position: O, createdAt: O, updatedAt: O } },
    Product: {
      onErase: 'keep',
      fields: {
        id: O,
        slug: O,
        name: O,
        description: O,
        categoryId: O,
        priceCents: O,
        vatRateBp: O,
        stock: O,
        weightGrams: O,
        published: O,
        createdAt: O,
        updatedAt: O,
      },
    },
    ProductImage: { onErase: 'keep', fields: { id: O, productId: O, position: O, alt: O, key: O, width: O, height: O, createdAt: O } },
  },
};
