// Jest stand-in for lightning/platformUtilityBarApi, which sfdx-lwc-jest does not stub.
// Methods resolve like the platform's; EnclosingUtilityId is a test wire adapter that tests
// drive with EnclosingUtilityId.emit('utility-id').
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const EnclosingUtilityId = createTestWireAdapter(jest.fn());
export const open = jest.fn().mockResolvedValue(true);
export const minimize = jest.fn().mockResolvedValue(true);
export const getInfo = jest.fn().mockResolvedValue({ utilityVisible: true });
export const getAllUtilityInfo = jest.fn().mockResolvedValue([]);
export const updateUtility = jest.fn().mockResolvedValue(true);
export const updatePanel = jest.fn().mockResolvedValue(true);
export const onUtilityClick = jest.fn().mockResolvedValue(true);
