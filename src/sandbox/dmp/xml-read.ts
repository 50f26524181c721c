/**
 * DOM readers for the sandbox: the DMP layer's own (namespace-aware, element nodes only), under the names
 * the sandbox reads best.
 */
export {
  childElements as children, firstChild as child, elementChildren as elements, descendants, attr as attribute, text as textOf,
} from '../../dmp/index.js';
