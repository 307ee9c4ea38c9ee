package tiny

// THIS CODE WILL BE UPDATED WITH SCHEMA CHANGES. PREVIOUS IMPLEMENTATION FOR SCHEMA CHANGES WILL BE KEPT IN THE COMMENT SECTION. IMPLEMENTATION FOR UNCHANGED SCHEMA WILL BE KEPT.

import (
	"context"
)

type Resolver struct{}

// Children is the resolver for the children field.
func (r *itemResolver) Children(ctx context.Context, obj *Item) ([]*Item, error) {
	panic("not implemented")
}

// Rename is the resolver for the rename field.
func (r *mutationResolver) Rename(ctx context.Context, id string, name string) (*Item, error) {
	panic("not implemented")
}

// Items is the resolver for the items field.
func (r *queryResolver) Items(ctx context.Context, first *int) ([]*Item, error) {
	panic("not implemented")
}

// Item is the resolver for the item field.
func (r *queryResolver) Item(ctx context.Context, id string) (*Item, error) {
	panic("not implemented")
}

// Item returns ItemResolver implementation.
func (r *Resolver) Item() ItemResolver { return &itemResolver{r} }

// Mutation returns MutationResolver implementation.
func (r *Resolver) Mutation() MutationResolver { return &mutationResolver{r} }

// Query returns QueryResolver implementation.
func (r *Resolver) Query() QueryResolver { return &queryResolver{r} }

type (
	itemResolver     struct{ *Resolver }
	mutationResolver struct{ *Resolver }
	queryResolver    struct{ *Resolver }
)

// !!! WARNING !!!
// The code below was going to be deleted when updating resolvers. It has been copied here so you have
// one last chance to move it out of harms way if you want. There are two reasons this happens:
//  - When renaming or deleting a resolver the old code will be put in here. You can safely delete
//    it when you're done.
//  - You have helper methods in this file. Move them out to keep these resolver files clean.
/*
	type Resolver struct{}
*/
