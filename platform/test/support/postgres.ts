export { ADMIN_URL, createTestDatabase, type TestDatabase } from '@tessera/testkit';
