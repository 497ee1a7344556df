export { davConnector, probeDav } from './connector.js';
export { createDavHttp, type DavHttp, type DavHttpOptions } from './http.js';
export { DavSession, type PropfindResult, type PropName } from './session.js';
export { discoverHomes, type DavHomes } from './discovery.js';
export {
  listCalendars,
  listAddressBooks,
  createCalendar,
  createAddressBook,
  acceptsTasks,
  type DavCollection,
} from './collections.js';
export { readResources, sameResource, type DavResource } from './multistatus.js';
export { davNetworkFailure, davStatusFailure, type DavProtocol, type DavRequestTarget } from './failure.js';
