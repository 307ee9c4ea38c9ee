// Package docs holds sessiongraph's user documentation. It has no code: its
// tests run every example of cookbook.md against the demo dataset and keep the
// markdown in step with the example files under cookbook/.
package docs
