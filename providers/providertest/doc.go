// Package providertest holds what provider tests share: Fake, an
// in-memory provider for the tests of the code that drives providers.
package providertest
