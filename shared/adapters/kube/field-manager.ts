/**
 * sluice's field manager name, sent with every write, and what `metadata.managedFields` says about who wrote an
 * object or owns a field. The pure readers live in the model (the use cases decide drift with them).
 */
export { FIELD_MANAGER, lastWrittenBySluice, ownedByOthers } from '../../core/model/managed-fields.js';
