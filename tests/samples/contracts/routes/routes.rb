Rails.application.routes.draw do
  resources :orders, only: [:index, :show, :create]
  resources :customers
  get "health", to: "health#show"
  post "webhooks/stripe", to: "webhooks#stripe"
  match "legacy/search", to: "search#legacy", via: [:get, :post]
end
