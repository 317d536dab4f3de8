// Jest stand-in for lightning/navigation that records navigations, which the stock stub of
// sfdx-lwc-jest drops: every NavigationMixin.Navigate call goes to the exported `navigate`
// (a jest.fn), so a test asserts the page references a component asked for.
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

/** Called with the page reference of every navigation. */
export const navigate = jest.fn();

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference) {
      navigate(pageReference);
    }
    [GenerateUrl]() {
      return Promise.resolve('https://example.com');
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;
