// The shop's catalogue: categories, products and their images. No personal data.
import type { DomainModule } from '../core/module.ts';
import { shopPublicRoutes, shopStaffRoutes } from './routes.ts';
import { SHOP_AUDIT } from './service.ts';

const O = 'operational' as const;

export const shopModule: DomainModule = {
  name: 'shop',
  routes: { public: shopPublicRoutes, staff: shopStaffRoutes },
  classification: {
    Category: {
      onErase: 'keep',
      fields: { id: O, slug: O, name: O, description: O, position: O, createdAt: O, updatedAt: O },
    },
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
        searchText: O,
        sortName: O,
        // The generated French vector of searchText (Unsupported("tsvector"), so not in Prisma's
        // column types): spread in so that the classification still names every database column.
        ...({ searchVector: O } as object),
      },
    },
    ProductImage: {
      onErase: 'keep',
      fields: { id: O, productId: O, position: O, alt: O, key: O, width: O, height: O, createdAt: O },
    },
  },
  audit: SHOP_AUDIT,
  auditDetails: { productId: 'produit', categoryId: 'catégorie', imageId: 'image', stockFrom: 'ancien stock', stockTo: 'nouveau stock' },
  nav: [
    {
      area: 'staff',
      href: '/gestion/produits',
      label: 'Produits',
      hint: 'Catalogue de la boutique : produits, catégories, images, stock, publication.',
    },
  ],
};
